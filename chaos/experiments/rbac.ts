// The least privilege a chaos run needs in a namespace chaos may touch (the environment's
// kubernetes.chaosNamespaces), when bulwark runs inside the cluster with a namespaced Role
// (`bulwark deploy manifests` grants it; docs/chaos.md "Running inside the cluster"):
// - the Chaos Mesh objects of every kind: create (also the server-side dry run), get (proof of
//   injection, waiting until gone), list and watch (the sweep of leftovers, namespace by namespace),
//   delete (removal, sweep), patch (Chaos Mesh's forced-clean annotation, finalizers of a stuck object);
// - pods: get, list, watch (blast radius, proof at pod level, the pods-ready probe);
// - deployments: get, list (the deployment-available probe) and patch, which only the experiment's
//   rollbacks use (scale-deployment, restart-deployment).
// Nothing cluster-wide: the CRD check of the preflight tolerates a refusal, and `chaos sweep
// --all-namespaces` needs a ClusterRole of its own.
import type { RbacRule } from "../../scripts/kinds/step-kind.ts";
import { chaosGroup, chaosKinds } from "../faults/common.ts";

export const chaosRbacRules: readonly RbacRule[] = [
  { apiGroups: [chaosGroup], resources: Object.values(chaosKinds), verbs: ["create", "delete", "get", "list", "patch", "watch"] },
  { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] },
  { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "patch"] },
];

/** The Role as a Kubernetes object, for one namespace chaos may touch (docs, and the test that runs chaos with only it). */
export function chaosRole(namespace: string, name = "bulwark-chaos"): { apiVersion: string; kind: "Role"; metadata: { name: string; namespace: string }; rules: RbacRule[] } {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: { name, namespace },
    rules: chaosRbacRules.map((rule) => ({ apiGroups: [...rule.apiGroups], resources: [...rule.resources], verbs: [...rule.verbs] })),
  };
}
