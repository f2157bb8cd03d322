// `bulwark deploy manifests`: the objects pass the real API server's validation (server-side dry run),
// and the Role grants exactly what the suite's step kinds declare, checked by impersonating the
// ServiceAccount (kubectl auth can-i --as: a SelfSubjectAccessReview under impersonation).
import { expect } from "vitest";
import { deployManifests } from "../../scripts/commands/deploy-manifests.ts";
import { loadKind } from "../../scripts/kinds/load/kind.ts";
import type { StepKind } from "../../scripts/kinds/step-kind.ts";
import { clusterTest, type ClusterClients } from "../support/cluster-fixture.ts";
import { runCli } from "../support/run-cli.ts";

const asServiceAccount = (namespace: string) => `--as=system:serviceaccount:${namespace}:bulwark-nightly`;

async function canI(kube: ClusterClients, namespace: string, verb: string, resource: string): Promise<boolean> {
  const result = await kube.kubectl.run(["auth", "can-i", verb, resource, "-n", namespace, asServiceAccount(namespace)]);
  expect(["yes", "no"], result.stderr).toContain(result.stdout.trim());
  return result.stdout.trim() === "yes";
}

clusterTest("the printed Job, CronJob, RBAC and ConfigMap pass a server-side dry run; the nightly's load steps get no permission", async ({ kube, namespace }) => {
  const printed = await runCli(["deploy", "manifests", "--namespace", namespace, "--reports-claim", "nightly-reports", "--image", "bulwark/runner:test"]);
  expect(printed.code, printed.stderr).toBe(0);
  const list = JSON.parse(printed.stdout) as { items: { kind: string; rules?: unknown[] }[] };
  expect(list.items.map((item) => item.kind)).toEqual(["ConfigMap", "ServiceAccount", "Role", "RoleBinding", "CronJob", "Job"]);
  expect(list.items.find((item) => item.kind === "Role")!.rules).toEqual([]);

  const dryRun = await kube.kubectl.run(["apply", "--dry-run=server", "-f", "-"], printed.stdout);
  expect(dryRun.code, dryRun.stderr).toBe(0);
  expect(dryRun.stdout.match(/\(server dry run\)/g)).toHaveLength(6);

  // The RBAC objects for real (the Job would start a pod), then ask as the ServiceAccount.
  const rbac = list.items.filter((item) => ["ServiceAccount", "Role", "RoleBinding"].includes(item.kind));
  const applied = await kube.kubectl.run(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: rbac }));
  expect(applied.code, applied.stderr).toBe(0);
  expect(await canI(kube, namespace, "get", "pods")).toBe(false);
  expect(await canI(kube, namespace, "delete", "deployments.apps")).toBe(false);
});

clusterTest("the Role is the union of the suite's kinds' rbac rules: each declared verb allowed, nothing else", async ({ kube, namespace }) => {
  // A kind as the chaos kinds declare theirs: PodChaos objects, and reading the pods they target.
  const chaosLike: StepKind = {
    ...loadKind,
    name: "chaos-like",
    rbac: [
      { apiGroups: ["chaos-mesh.org"], resources: ["podchaos"], verbs: ["create", "get", "delete"] },
      { apiGroups: [""], resources: ["pods"], verbs: ["list", "get"] },
    ],
  };
  const manifests = deployManifests({
    suite: "nightly",
    namespace,
    image: "bulwark/runner:test",
    schedule: "0 2 * * *",
    reportsClaim: "nightly-reports",
    configText: "{}",
    scenarioFiles: {},
    kinds: [loadKind, chaosLike],
  });
  const rbac = manifests.filter((item) => ["ServiceAccount", "Role", "RoleBinding"].includes(String(item.kind)));
  const applied = await kube.kubectl.run(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: rbac }));
  expect(applied.code, applied.stderr).toBe(0);

  for (const verb of ["create", "get", "delete"]) expect(await canI(kube, namespace, verb, "podchaos.chaos-mesh.org"), `${verb} podchaos`).toBe(true);
  for (const verb of ["list", "get"]) expect(await canI(kube, namespace, verb, "pods"), `${verb} pods`).toBe(true);
  expect(await canI(kube, namespace, "delete", "pods")).toBe(false);
  expect(await canI(kube, namespace, "update", "podchaos.chaos-mesh.org")).toBe(false);
  expect(await canI(kube, namespace, "delete", "deployments.apps")).toBe(false);
  // Only in its own namespace.
  expect((await kube.kubectl.run(["auth", "can-i", "get", "pods", "-n", "default", asServiceAccount(namespace)])).stdout.trim()).toBe("no");
});
