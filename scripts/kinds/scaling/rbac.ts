// The least privilege a scaling check needs in the workload's namespace: read (get, list, watch) the
// HPA, the Deployment, its pods and the events. Nothing is written, except by the usage bridge, which
// only ever runs on the local test cluster (docs/scaling.md).
import type { RbacRule } from "../step-kind.ts";

const read = ["get", "list", "watch"] as const;

export const scalingRbacRules: readonly RbacRule[] = [
  { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: read },
  { apiGroups: ["apps"], resources: ["deployments"], verbs: read },
  { apiGroups: [""], resources: ["pods", "events"], verbs: read },
];

/** The Role as a Kubernetes object, for docs and for the test that runs a check with only this Role. */
export function scalingRole(namespace: string, name = "bulwark-scaling-check"): object {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: { name, namespace },
    rules: scalingRbacRules.map((rule) => ({ apiGroups: [...rule.apiGroups], resources: [...rule.resources], verbs: [...rule.verbs] })),
  };
}
