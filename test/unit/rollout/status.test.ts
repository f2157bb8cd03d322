import { describe, expect, it } from "vitest";
import type { V1Deployment } from "@kubernetes/client-node";
import { rolloutState } from "../../../scripts/kinds/rollout/status.ts";

function deployment(status: Record<string, unknown>, replicas = 3): V1Deployment {
  return { metadata: { generation: 5 }, spec: { replicas, selector: {}, template: {} }, status: { observedGeneration: 5, ...status } } as V1Deployment;
}

describe("where a rollout stands (as kubectl rollout status reads it)", () => {
  it("says nothing until the controller has observed the change's generation", () => {
    expect(rolloutState(deployment({ observedGeneration: 4, updatedReplicas: 3, replicas: 3, availableReplicas: 3 }), 5).phase).toBe("waiting");
  });

  it("is complete only when every replica is updated and available and no old one is left", () => {
    expect(rolloutState(deployment({ updatedReplicas: 2, replicas: 3, availableReplicas: 3 }), 5).detail).toBe("2 of 3 new replicas updated");
    expect(rolloutState(deployment({ updatedReplicas: 3, replicas: 4, availableReplicas: 3 }), 5).detail).toBe("1 old replicas pending termination");
    expect(rolloutState(deployment({ updatedReplicas: 3, replicas: 3, availableReplicas: 2 }), 5).detail).toBe("2 of 3 updated replicas available");
    expect(rolloutState(deployment({ updatedReplicas: 3, replicas: 3, availableReplicas: 3 }), 5).phase).toBe("complete");
  });

  it("fails when the Deployment reports its progress deadline exceeded", () => {
    const stuck = deployment({ updatedReplicas: 1, replicas: 4, availableReplicas: 2, conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: 'ReplicaSet "web-b" has timed out progressing.' }] });
    expect(rolloutState(stuck, 5)).toEqual({ phase: "deadline-exceeded", detail: 'ReplicaSet "web-b" has timed out progressing.' });
  });
});
