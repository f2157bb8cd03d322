// `bulwark deploy manifests`: the objects pass the real API server's validation (server-side dry run),
// and the Role grants exactly what the suite's step kinds declare, checked by impersonating the
// ServiceAccount (kubectl auth can-i --as: a SelfSubjectAccessReview under impersonation).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { deployManifests } from "../../scripts/commands/deploy-manifests.ts";
import { loadKind } from "../../scripts/kinds/load/kind.ts";
import type { StepKind } from "../../scripts/kinds/step-kind.ts";
import { clusterTest, type ClusterClients } from "../support/cluster-fixture.ts";
import { runCli } from "../support/run-cli.ts";

const asServiceAccount = (namespace: string, suite = "nightly") => `--as=system:serviceaccount:${namespace}:bulwark-${suite}`;

async function canI(kube: ClusterClients, namespace: string, verb: string, resource: string, serviceAccount = asServiceAccount(namespace)): Promise<boolean> {
  // "pods/log" is a subresource: kubectl reads TYPE/NAME otherwise.
  const [type, subresource] = resource.split("/");
  const result = await kube.kubectl.run(["auth", "can-i", verb, type!, ...(subresource ? [`--subresource=${subresource}`] : []), "-n", namespace, serviceAccount]);
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

clusterTest("a gate whose load step runs its runners as pods may run their Job in runnerJob.namespace, and nothing more", async ({ kube, namespace }) => {
  // The runner pods' namespace is another one than the gate's: the grants must land there.
  const runnersNamespace = `${namespace}-runners`;
  await kube.core.createNamespace({ body: { metadata: { name: runnersNamespace, labels: { "app.kubernetes.io/managed-by": "bulwark-tests" } } } });
  try {
    const folder = mkdtempSync(join(tmpdir(), "bulwark-deploy-"));
    const config = {
      slo: { critical: { latencyP95Ms: 200, latencyP99Ms: 500, errorRate: 0.001 }, standard: { latencyP95Ms: 500, latencyP99Ms: 1000, errorRate: 0.01 } },
      endpoints: [{ name: "list-items", method: "GET", path: "/api/items", criticality: "critical", example: {} }],
      profiles: { smoke: { executor: "constant-arrival-rate", ratePerSecond: 5, duration: "5s" } },
      suites: { spread: { steps: [{ scenario: "endpoints", profile: "smoke", runners: 2, runnersOn: "kubernetes" }] } },
      runnerJob: { namespace: runnersNamespace },
      environments: { cluster: { baseUrl: "http://127.0.0.1:8080", kubernetes: {} } },
      defaultEnvironment: "cluster",
    };
    writeFileSync(join(folder, "bulwark.config.json"), JSON.stringify(config, null, 2));
    const printed = await runCli(["deploy", "manifests", "--config", join(folder, "bulwark.config.json"), "--suite", "spread", "--namespace", namespace, "--image", "bulwark/runner:test"]);
    expect(printed.code, printed.stderr).toBe(0);
    const list = JSON.parse(printed.stdout) as { items: { kind: string; metadata: { namespace: string }; rules?: unknown[] }[] };
    expect(list.items.map((item) => `${item.kind}/${item.metadata.namespace === namespace ? "gate" : item.metadata.namespace === runnersNamespace ? "runners" : "?"}`)).toEqual([
      "ConfigMap/gate", "ServiceAccount/gate", "Role/gate", "RoleBinding/gate", "Role/runners", "RoleBinding/runners", "CronJob/gate", "Job/gate",
    ]);
    expect(list.items.find((item) => item.kind === "ServiceAccount")).toMatchObject({ automountServiceAccountToken: true });
    const dryRun = await kube.kubectl.run(["apply", "--dry-run=server", "-f", "-"], printed.stdout);
    expect(dryRun.code, dryRun.stderr).toBe(0);

    const rbac = list.items.filter((item) => ["ServiceAccount", "Role", "RoleBinding"].includes(item.kind));
    const applied = await kube.kubectl.run(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: rbac }));
    expect(applied.code, applied.stderr).toBe(0);
    const gateAccount = asServiceAccount(namespace, "spread");
    const allowed = [
      ["create", "configmaps"], ["patch", "configmaps"], ["delete", "configmaps"],
      ["create", "jobs.batch"], ["get", "jobs.batch"], ["delete", "jobs.batch"],
      ["list", "pods"], ["get", "pods/log"],
    ] as const;
    for (const [verb, resource] of allowed) expect(await canI(kube, runnersNamespace, verb, resource, gateAccount), `${verb} ${resource}`).toBe(true);
    const refused = [["get", "configmaps"], ["list", "jobs.batch"], ["get", "pods"], ["delete", "pods"], ["create", "pods"], ["create", "pods/exec"], ["delete", "deployments.apps"]] as const;
    for (const [verb, resource] of refused) expect(await canI(kube, runnersNamespace, verb, resource, gateAccount), `${verb} ${resource}`).toBe(false);
    // The gate's own namespace gets none of it, nor does any other.
    expect(await canI(kube, namespace, "create", "jobs.batch", gateAccount)).toBe(false);
    expect(await canI(kube, "default", "create", "jobs.batch", gateAccount)).toBe(false);
  } finally {
    await kube.core.deleteNamespace({ name: runnersNamespace });
  }
});
