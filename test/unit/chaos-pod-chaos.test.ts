import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { buildChaosObject, conditionIsTrue, managedByLabel, rejectionMessage } from "../../chaos/index.ts";

describe("PodChaos objects", () => {
  it("carry the managed-by label, the duration and the spec as given", () => {
    const object = buildChaosObject(
      { kind: "PodChaos", action: "pod-kill" },
      { name: "kill-one", namespace: "shop", labels: { team: "sre" }, mode: "fixed-percent", value: 50, selector: { namespaces: ["shop"], labelSelectors: { app: "web" } }, duration: "30s", runId: "run-1", experiment: "kill" },
    );
    expect(object).toEqual({
      apiVersion: "chaos-mesh.org/v1alpha1",
      kind: "PodChaos",
      metadata: { name: "kill-one", namespace: "shop", labels: { team: "sre", ...managedByLabel, "bulwark.dev/run-id": "run-1", "bulwark.dev/experiment": "kill" } },
      spec: { action: "pod-kill", mode: "fixed-percent", value: "50", selector: { namespaces: ["shop"], labelSelectors: { app: "web" } }, duration: "30s" },
    });
  });

  it("reads conditions and the API server's refusal message", () => {
    expect(conditionIsTrue({ status: { conditions: [{ type: "AllInjected", status: "True" }] } }, "AllInjected")).toBe(true);
    expect(conditionIsTrue({ status: { conditions: [{ type: "AllInjected", status: "False" }] } }, "AllInjected")).toBe(false);
    const body = JSON.stringify({ kind: "Status", message: 'spec.mode: Unsupported value: "some"' });
    expect(rejectionMessage(new ApiException(422, "Unprocessable Entity", body, {}))).toBe('spec.mode: Unsupported value: "some"');
    expect(rejectionMessage(new Error("other"))).toBeUndefined();
  });
});
