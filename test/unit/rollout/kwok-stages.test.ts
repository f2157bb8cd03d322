import { describe, expect, it } from "vitest";
import { bulwarkStages, neverReadyImageTag, simulatedReadyAfterAnnotation, withoutBulwarkPods } from "../../../scripts/local/cluster/kwok-stages.ts";

const kwokPodReady = {
  apiVersion: "kwok.x-k8s.io/v1alpha1",
  kind: "Stage",
  metadata: { name: "pod-ready" },
  spec: { selector: { matchExpressions: [{ key: ".status.phase", operator: "In", values: ["Pending"] }] } },
};

describe("the local cluster's KWOK stages", () => {
  it("leave kwok's default pod-ready alone except for pods whose readiness bulwark simulates", () => {
    const adjusted = withoutBulwarkPods(kwokPodReady);
    const expressions = adjusted.spec.selector!.matchExpressions as { key?: string; jq?: { key: string; operator: string; values: string[] } }[];
    expect(expressions[0]).toEqual(kwokPodReady.spec.selector.matchExpressions[0]);
    expect(expressions[1]!.jq).toEqual({ key: `(.metadata.annotations["${simulatedReadyAfterAnnotation}"] != null) or any(.spec.containers[]; .image | endswith(":${neverReadyImageTag}"))`, operator: "NotIn", values: ["true"] });
    const other = { ...kwokPodReady, metadata: { name: "pod-delete" } };
    expect(withoutBulwarkPods(other)).toBe(other);
  });

  it("start such pods unready, and make only the ones with a delay (and no ':bad' image) Ready after it", () => {
    const [started, ready] = bulwarkStages;
    expect(started!.metadata.name).toBe("bulwark-pod-started-unready");
    expect(JSON.stringify(started!.spec.next)).toContain("phase: Running");
    expect(JSON.stringify(started!.spec.next)).toContain('status: \\"False\\"');
    expect(ready!.spec.delay).toEqual({ durationMilliseconds: 0, durationFrom: { jq: { expression: `.metadata.annotations["${simulatedReadyAfterAnnotation}"]` } } });
    const readyKeys = (ready!.spec.selector!.matchExpressions as { jq: { key: string; operator: string } }[]).map((expression) => `${expression.jq.key} ${expression.jq.operator}`);
    expect(readyKeys).toContain(`any(.spec.containers[]; .image | endswith(":${neverReadyImageTag}")) NotIn`);
  });
});
