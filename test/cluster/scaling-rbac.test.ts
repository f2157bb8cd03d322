// The least-privilege Role of docs/scaling.md, checked against the local API server: a ServiceAccount
// bound to it (token from the TokenRequest API) runs a whole scaling check; its watches see changes; it
// can write nothing; and a Role without one of its rules is refused with a message naming the rule.
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig, PatchStrategy, RbacAuthorizationV1Api, setHeaderOptions } from "@kubernetes/client-node";
import { expect, vi } from "vitest";
import { realClock } from "../../scripts/core/clock.ts";
import { scalingRole } from "../../scripts/kinds/scaling/rbac.ts";
import { ScalingWatcher } from "../../scripts/kinds/scaling/watcher.ts";
import { assertWorkloadExists } from "../../scripts/kinds/scaling/workload-check.ts";
import { scalingCheckSchema } from "../../scripts/kinds/scaling/definition.ts";
import { runCli, temporaryReportsRoot } from "../support/run-cli.ts";
import { clusterTest, deployment, serviceAccountConfig as accountConfig, type ClusterClients } from "../support/cluster-fixture.ts";
import { fastHpa, onlyRun, writeScalingConfig } from "../support/scaling-fixture.ts";

/** A ServiceAccount bound to `role` in `namespace`, and a KubeConfig that authenticates as it with a requested token. */
async function serviceAccountConfig(kube: ClusterClients, namespace: string, role: { metadata: { name: string }; rules: unknown[] }): Promise<KubeConfig> {
  const rbac = kube.config.makeApiClient(RbacAuthorizationV1Api);
  const name = role.metadata.name;
  await rbac.createNamespacedRole({ namespace, body: role as never });
  await kube.core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  await rbac.createNamespacedRoleBinding({ namespace, body: { metadata: { name }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name }, subjects: [{ kind: "ServiceAccount", name, namespace }] } });
  return accountConfig(kube, namespace, name);
}

const roleNamed = (namespace: string, name: string, keep: (resource: string) => boolean) => {
  const role = scalingRole(namespace, name) as { metadata: { name: string }; rules: { resources: string[] }[] };
  return { ...role, rules: role.rules.map((rule) => ({ ...rule, resources: rule.resources.filter(keep) })).filter((rule) => rule.resources.length > 0) };
};

clusterTest("a scaling check runs with only the documented Role: it watches, it writes nothing, and a missing rule is named", async ({ kube, namespace }) => {
  await kube.apps.createNamespacedDeployment({ namespace, body: deployment("api", 1) });
  await kube.autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace, body: fastHpa("api", { maxReplicas: 3 }) });
  const saConfig = await serviceAccountConfig(kube, namespace, roleNamed(namespace, "bulwark-scaling-check", () => true));

  // The whole check, through the CLI, in an environment whose kubeconfig is the ServiceAccount's.
  const kubeconfigPath = join(mkdtempSync(join(tmpdir(), "bulwark-scaling-sa-")), "kubeconfig.json");
  writeFileSync(kubeconfigPath, saConfig.exportConfig());
  const check = { workload: { namespace, deployment: "api" }, load: { scenario: "browse-catalog", profile: "scaling" }, expect: { neverAbove: 1, maxDirectionChanges: 0 } };
  const config = writeScalingConfig({ "least-privilege": check }, { loadDuration: "4s", environments: { "service-account": { demo: true, kubernetes: { kubeconfig: kubeconfigPath } } } });
  const reports = temporaryReportsRoot();
  const result = await runCli(["scale", "least-privilege", "--config", config, "--out", reports]);
  expect(result.code, result.stderr).toBe(0);
  const step = onlyRun(reports).summary.steps[0]!;
  expect(step.checks.filter((one) => one.kind === "scaling").map((one) => one.verdict)).toEqual(["pass", "pass"]);
  expect(step.series!.find((series) => series.name === "ready replicas")!.points[0]![1]).toBe(1);

  // The Role's reads are enough for the pre-flight and the watches: a change made by someone else arrives.
  await assertWorkloadExists(saConfig, "least-privilege", scalingCheckSchema.parse(check));
  const watcher = new ScalingWatcher(saConfig, { namespace, deployment: "api", hpa: "api" }, realClock);
  await watcher.start();
  try {
    await kube.apps.patchNamespacedDeployment({ name: "api", namespace, body: { spec: { replicas: 2 } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    await vi.waitFor(() => expect(watcher.timeline().samples.some((sample) => sample.specReplicas === 2)).toBe(true), { timeout: 10_000, interval: 100 });
    await vi.waitFor(() => expect(watcher.timeline().pods.filter((pod) => pod.ready).length).toBeGreaterThanOrEqual(2), { timeout: 20_000, interval: 100 });
    expect(watcher.failure()).toBeUndefined();
  } finally {
    watcher.stop();
  }

  // Read-only: the ServiceAccount may not change a pod, nor read another namespace.
  const { CoreV1Api } = await import("@kubernetes/client-node");
  const saCore = saConfig.makeApiClient(CoreV1Api);
  const [pod] = (await kube.core.listNamespacedPod({ namespace, labelSelector: "app=api" })).items;
  await expect(saCore.patchNamespacedPod({ name: pod!.metadata!.name!, namespace, body: { metadata: { annotations: { x: "y" } } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch))).rejects.toMatchObject({ code: 403 });
  await expect(saCore.listNamespacedPod({ namespace: "kube-system" })).rejects.toMatchObject({ code: 403 });

  // Each rule is needed: without events, the watcher says which grant is missing.
  const withoutEvents = await serviceAccountConfig(kube, namespace, roleNamed(namespace, "no-events", (resource) => resource !== "events"));
  const blind = new ScalingWatcher(withoutEvents, { namespace, deployment: "api", hpa: "api" }, realClock);
  await expect(blind.start()).rejects.toThrow(`scale: the cluster refused to list events in namespace ${namespace} (403): grant get, list and watch on it (the Role in docs/scaling.md)`);
});
