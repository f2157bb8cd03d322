// bulwark inside the cluster runs chaos with the namespaced Role `bulwark deploy manifests` generates
// from the chaos kind's rbac declaration, and nothing more: a ServiceAccount bound only to that Role
// (token from the TokenRequest API) runs a whole experiment (guardrails with the server-side dry run,
// preflight, the sweep of a dead run's leftover, a real pod-kill, its proof, removal and a rollback)
// and `chaos sweep` of its namespaces; listing chaos objects in every namespace, and deleting a pod,
// are refused.
import { mkdtempSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { expect } from "vitest";
import { chaosKind } from "../../chaos/experiments/kind.ts";
import { ownerAnnotation } from "../../chaos/experiments/leftovers.ts";
import { chaosRbacRules } from "../../chaos/experiments/rbac.ts";
import { buildChaosObject, ChaosApi } from "../../chaos/faults/index.ts";
import { deployManifests } from "../../scripts/commands/deploy-manifests.ts";
import { waitFor } from "../../scripts/core/wait-for.ts";
import { chaosProject, checkNamed, experiment } from "../support/chaos-experiment.ts";
import { clusterTest, deployment, isRunningAndReady, podsOf, serviceAccountConfig, type ClusterClients } from "../support/cluster-fixture.ts";

/** The ServiceAccount, Role and RoleBinding `bulwark deploy manifests` prints for a suite of chaos steps, applied; a KubeConfig with the account's token. */
async function generatedRoleAccount(kube: ClusterClients, namespace: string): Promise<{ config: KubeConfig; role: { rules: unknown[] } }> {
  const manifests = deployManifests({ suite: "chaos-rbac", namespace, image: "bulwark/runner:test", schedule: "0 2 * * *", reportsClaim: "reports", configText: "{}", scenarioFiles: {}, kinds: [chaosKind] });
  const rbac = manifests.filter((item) => ["ServiceAccount", "Role", "RoleBinding"].includes(String(item.kind)));
  const applied = await kube.kubectl.run(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: rbac }));
  expect(applied.code, applied.stderr).toBe(0);
  const config = await serviceAccountConfig(kube, namespace, "bulwark-chaos-rbac");
  return { config, role: rbac.find((item) => item.kind === "Role") as { rules: unknown[] } };
}

clusterTest("a chaos run and a sweep succeed with only the generated namespaced Role; a cluster-wide list and a pod delete are refused", async ({ kube, namespace }) => {
  await kube.apps.createNamespacedDeployment({ namespace, body: deployment("web", 3) });
  await waitFor(async () => (await podsOf(kube, namespace, "web")).filter(isRunningAndReady).length === 3, { timeoutMs: 60_000, intervalMs: 250, description: "3 Ready web pods" });
  const { config, role } = await generatedRoleAccount(kube, namespace);
  expect(role.rules).toEqual([
    { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] },
    { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "patch"] },
    { apiGroups: ["chaos-mesh.org"], resources: ["dnschaos", "httpchaos", "iochaos", "networkchaos", "podchaos", "stresschaos", "timechaos"], verbs: ["create", "delete", "get", "list", "patch", "watch"] },
  ]);
  expect(chaosRbacRules).toHaveLength(3);

  // A dead run's leftover in the namespace (created as admin): the run's sweep must find and remove it with the Role alone.
  const admin = new ChaosApi(kube.config);
  const leftover = buildChaosObject(
    { kind: "PodChaos", action: "pod-kill" },
    { name: "leftover-of-a-dead-run", namespace, selector: { namespaces: [namespace], labelSelectors: { app: "nothing" } }, mode: "one", duration: "1h", runId: "dead-run", experiment: "old" },
  );
  await admin.create({ ...leftover, metadata: { ...leftover.metadata, annotations: { [ownerAnnotation]: `${hostname()}/999999/1` } } });

  const kubeconfig = join(mkdtempSync(join(tmpdir(), "bulwark-chaos-sa-")), "kubeconfig.json");
  writeFileSync(kubeconfig, config.exportConfig());
  const project = chaosProject({
    chaosNamespaces: [namespace],
    environments: { "in-cluster": { demo: true, allowChaos: true, kubernetes: { kubeconfig, chaosNamespaces: [namespace] } } },
    experiments: {
      "kill-web": experiment(namespace, "web", {
        hypothesis: {
          interval: "500ms",
          probes: [
            { type: "k8s", name: "two-available", check: "deployment-available", tolerance: { min: 2 } },
            { type: "k8s", name: "two-ready", check: "pods-ready", tolerance: { min: 2 } },
          ],
        },
        rollbacks: [{ type: "scale-deployment", deployment: "web", replicas: 3 }],
      }),
    },
  });

  const run = await project.run(["chaos", "kill-web", "--env", "in-cluster"]);
  expect(run.code, run.stderr).toBe(0);
  const summary = project.summary();
  for (const name of ["injection kill-one", "hypothesis two-available", "hypothesis two-ready", "every fault removed, rollbacks done"]) expect(checkNamed(summary, name).verdict, name).toBe("pass");
  const timeline = summary.steps[0]!.timeline!;
  expect(timeline.find((event) => event.event === "leftover-swept")?.detail).toMatch(new RegExp(`PodChaos ${namespace}/leftover-of-a-dead-run \\(its owner \\(pid 999999 on .*removed 1 chaos object`));
  expect(timeline.find((event) => event.event === "rollback")?.detail).toBe(`scale deployment ${namespace}/web to 3: done`);
  expect(await admin.listManaged({ namespaces: [namespace] })).toEqual([]);

  // The sweep of the environment's namespaces works with the Role; a sweep of every namespace needs a ClusterRole and says so.
  const sweep = await project.run(["chaos", "sweep", "--env", "in-cluster"]);
  expect(sweep.code, sweep.stderr).toBe(0);
  expect(sweep.stderr).toContain(`chaos sweep: nothing left by bulwark in namespaces ${namespace}`);
  const everywhere = await project.run(["chaos", "sweep", "--env", "in-cluster", "--all-namespaces"]);
  expect(everywhere.code, everywhere.stderr).toBe(3);
  expect(everywhere.stderr.trim().split("\n")).toHaveLength(1);
  expect(everywhere.stderr).toMatch(/^bulwark: the cluster refused to list \w+\.chaos-mesh\.org in all namespaces \(a ClusterRole is needed for that\) \(403\): /);

  // Outside the Role: deleting a pod.
  const [pod] = await podsOf(kube, namespace, "web");
  await expect(config.makeApiClient(CoreV1Api).deleteNamespacedPod({ name: pod!.metadata!.name!, namespace })).rejects.toMatchObject({ code: 403 });
});
