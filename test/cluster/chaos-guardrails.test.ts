// Acceptance 5 and the dry run: a namespace outside the allow-list, an environment that does not allow
// chaos, a production environment without (or with the wrong) confirmation, a selector that matches
// nothing or more than the blast radius allows: exit 2 with one line naming the field, and nothing
// applied (no object in the cluster, no audit line). --dry-run prints the exact manifest and has the
// server judge it: accepted (exit 0, nothing created) or refused with the server's message (exit 2).
import { readFileSync, writeFileSync } from "node:fs";
import { expect } from "vitest";
import { ChaosApi } from "../../chaos/faults/index.ts";
import { waitFor } from "../../scripts/core/wait-for.ts";
import { chaosProject, experiment, type ChaosProject } from "../support/chaos-experiment.ts";
import { runCli } from "../support/run-cli.ts";
import { clusterTest, deployment, isRunningAndReady, podsOf, type ClusterClients } from "../support/cluster-fixture.ts";

async function threeReadyPods(kube: ClusterClients, namespace: string): Promise<void> {
  await kube.apps.createNamespacedDeployment({ namespace, body: deployment("web", 3) });
  await waitFor(async () => (await podsOf(kube, namespace, "web")).filter(isRunningAndReady).length === 3, { timeoutMs: 60_000, intervalMs: 250, description: "3 Ready web pods" });
}

/** Exit 2, one line on stderr holding `message`, and nothing applied. */
async function refused(kube: ClusterClients, namespace: string, project: ChaosProject, args: string[], message: string): Promise<void> {
  const { code, stderr, stdout } = await project.run(args);
  expect(code, stderr).toBe(2);
  expect(stderr).toContain(message);
  expect(stderr).toContain("nothing was injected");
  expect(stderr.trim().split("\n")).toHaveLength(1);
  expect(stdout).toBe("");
  expect(project.auditLines()).toEqual([]);
  expect((await new ChaosApi(kube.config).listManaged()).filter((object) => object.metadata.namespace === namespace)).toEqual([]);
}

const killOne = (namespace: string, mode: Record<string, unknown> = {}) =>
  experiment(namespace, "web", { method: { before: "1s", faults: [{ name: "kill", duration: "3s", fault: { kind: "PodChaos", action: "pod-kill" }, ...mode }], after: "1s" } });

clusterTest("a namespace outside the allow-list, or an environment without allowChaos, is refused with exit 2 before anything is applied", async ({ kube, namespace }) => {
  await threeReadyPods(kube, namespace);
  const project = chaosProject({
    chaosNamespaces: ["somewhere-else"],
    environments: { closed: { demo: true, allowChaos: false, kubernetes: { local: true, chaosNamespaces: [namespace] } } },
    experiments: { kill: killOne(namespace) },
  });
  await refused(kube, namespace, project, ["chaos", "kill"], `experiments.kill.target.namespace: namespace '${namespace}' not allow-listed for chaos in environment 'local' (environments.local.kubernetes.chaosNamespaces: somewhere-else)`);
  await refused(kube, namespace, project, ["chaos", "kill", "--env", "closed"], "environment 'closed' does not allow chaos (environments.closed.allowChaos is false)");
  await refused(kube, namespace, project, ["chaos", "kill", "--dry-run"], "not allow-listed for chaos");
});

clusterTest("a production environment needs --confirm-production with its own name; with it the experiment runs", async ({ kube, namespace }) => {
  const production = { prod: { demo: true, allowChaos: true, production: true, kubernetes: { local: true, chaosNamespaces: [namespace] } } };
  const quick = experiment(namespace, "web", {
    hypothesis: { probes: [{ type: "http", name: "health", path: "/health", tolerance: { status: 200 } }] },
    method: { before: "1s", faults: [{ name: "slow", duration: "2s", demoFault: { latencyMs: 50 } }], after: "1s" },
  });
  const project = chaosProject({ chaosNamespaces: [namespace], environments: production, loadDuration: "5s", experiments: { quick } });
  await refused(kube, namespace, project, ["chaos", "quick", "--env", "prod"], "environment 'prod' is production (environments.prod.production is true); confirm with --confirm-production prod");
  await refused(kube, namespace, project, ["chaos", "quick", "--env", "prod", "--confirm-production", "local"], "--confirm-production names 'local' but the experiment would run in 'prod'");
  const confirmed = await project.run(["chaos", "quick", "--env", "prod", "--confirm-production", "prod"]);
  expect(confirmed.code, confirmed.stderr).toBe(0);
  expect(project.summary()).toMatchObject({ environment: "prod", verdict: "pass" });
  expect(project.auditLines().map((line) => `${line.action}:${line.result}:${line.environment}`)).toEqual(["chaos demo-fault on:started:prod", "chaos demo-fault on:succeeded:prod", "chaos demo-fault off:reverted:prod"]);
});

clusterTest("the blast radius: a selector matching nothing or touching more than maxBlastRadius is refused; the boundary is exact", async ({ kube, namespace }) => {
  await threeReadyPods(kube, namespace);
  const atMost = (share: number) => ({ demo: true, allowChaos: true, kubernetes: { local: true, chaosNamespaces: [namespace], maxBlastRadius: share } });
  const project = chaosProject({
    chaosNamespaces: [namespace],
    environments: { "third-plus": atMost(0.34), "third-minus": atMost(0.33) },
    experiments: {
      all: killOne(namespace, { mode: "all" }),
      one: killOne(namespace),
      nothing: experiment(namespace, "no-such-app", { method: { before: "1s", faults: [{ name: "kill", duration: "3s", fault: { kind: "PodChaos", action: "pod-kill" } }], after: "1s" } }),
    },
  });
  await refused(kube, namespace, project, ["chaos", "all"], "mode all would touch 3 of 3 matching pods");
  await refused(kube, namespace, project, ["chaos", "nothing"], `experiments.nothing.target.selector matches no pod (${namespace} app=no-such-app)`);
  // One pod of three is 33.3 %: allowed under 0.34, refused under 0.33 (judged without injecting: --dry-run).
  const allowed = await project.run(["chaos", "one", "--env", "third-plus", "--dry-run"]);
  expect(allowed.code, allowed.stderr).toBe(0);
  await refused(kube, namespace, project, ["chaos", "one", "--env", "third-minus", "--dry-run"], "mode one would touch 1 of 3 matching pods");
});

clusterTest("--dry-run prints the exact manifest the run would create, the server accepts it and nothing is created; a server refusal is exit 2 with its message, for a run too", async ({ kube, namespace }) => {
  await threeReadyPods(kube, namespace);
  const project = chaosProject({ chaosNamespaces: [namespace], experiments: { kill: killOne(namespace, { mode: "fixed", value: 1 }) } });
  const accepted = await project.run(["chaos", "kill", "--dry-run"]);
  expect(accepted.code, accepted.stderr).toBe(0);
  expect(accepted.stderr).toContain("accepted by the cluster's server-side dry run");
  const manifest = JSON.parse(accepted.stdout) as { kind: string; metadata: { namespace: string; labels: Record<string, string> }; spec: Record<string, unknown> };
  expect(manifest).toMatchObject({
    apiVersion: "chaos-mesh.org/v1alpha1",
    kind: "PodChaos",
    metadata: { namespace, labels: { "app.kubernetes.io/managed-by": "bulwark", "bulwark.dev/experiment": "kill" } },
    spec: { action: "pod-kill", mode: "fixed", value: "1", duration: "3s", selector: { namespaces: [namespace], labelSelectors: { app: "web" } } },
  });
  expect(project.auditLines()).toEqual([]);
  expect((await new ChaosApi(kube.config).listManaged()).filter((object) => object.metadata.namespace === namespace)).toEqual([]);

  // A quota of zero PodChaos objects: the API server refuses the same manifest, and the user sees why.
  await kube.core.createNamespacedResourceQuota({ namespace, body: { metadata: { name: "no-chaos" }, spec: { hard: { "count/podchaos.chaos-mesh.org": "0" } } } });
  await waitFor(async () => (await kube.core.readNamespacedResourceQuota({ name: "no-chaos", namespace })).status?.hard !== undefined, { timeoutMs: 30_000, intervalMs: 200, description: "the quota to be counted" });
  const rejected = await project.run(["chaos", "kill", "--dry-run"]);
  expect(rejected.code, rejected.stderr).toBe(2);
  expect(rejected.stderr).toMatch(/bulwark: chaos: fault kill of 'kill' rejected by the cluster \(dry run\): .*exceeded quota: no-chaos/);
  expect(JSON.parse(rejected.stdout)).toMatchObject({ kind: "PodChaos", spec: { action: "pod-kill" } });
  expect(project.auditLines()).toEqual([]);
  // A run is judged the same way before anything starts.
  await refused(kube, namespace, project, ["chaos", "kill"], "experiments.kill.method.faults: fault kill rejected by the cluster (server-side dry run): ");
});

clusterTest("bad input: no experiment named, an unknown one, an invalid experiment file, a suite step naming an unknown experiment (exit 2, one line)", async ({ namespace }) => {
  const project = chaosProject({ chaosNamespaces: [namespace], experimentFiles: { "from-file": killOne(namespace) }, experiments: { inline: killOne(namespace) } });
  const listed = await project.run(["chaos", "list", "--json"]);
  expect(listed.code, listed.stderr).toBe(0);
  // The project's experiments first, then bulwark's built-in examples, marked as such.
  expect((JSON.parse(listed.stdout) as { name: string; source: string; faults: string; origin: string }[]).map((row) => [row.name, row.source, row.faults, row.origin])).toEqual([
    ["inline", "config", "PodChaos pod-kill", "project"],
    ["from-file", "experiments/from-file.json", "PodChaos pod-kill", "project"],
    ["demo-latency", "chaos/experiments-examples/demo-latency.json", "demo-fault", "built-in"],
    ["network-delay-demo", "chaos/experiments-examples/network-delay-demo.json", "NetworkChaos delay", "built-in"],
    ["pod-failure-demo", "chaos/experiments-examples/pod-failure-demo.json", "PodChaos pod-failure", "built-in"],
    ["pod-kill-demo", "chaos/experiments-examples/pod-kill-demo.json", "PodChaos pod-kill", "built-in"],
  ]);
  const missing = await project.run(["chaos"]);
  expect([missing.code, missing.stderr.trim()]).toEqual([2, "bulwark: chaos: name an experiment, or 'list' or 'sweep' (see 'bulwark chaos --help')"]);
  const unknown = await project.run(["chaos", "nope"]);
  expect([unknown.code, unknown.stderr.trim()]).toEqual([2, "bulwark: unknown experiment 'nope' (known: inline, from-file; built-in: demo-latency, network-delay-demo, pod-failure-demo, pod-kill-demo)"]);

  const broken = chaosProject({ chaosNamespaces: [namespace], experimentFiles: { bad: { ...killOne(namespace), injectionDeadline: "soon" } } });
  const invalid = await broken.run(["chaos", "bad"]);
  expect(invalid.code).toBe(2);
  expect(invalid.stderr).toContain('experiments/bad.json: injectionDeadline: invalid duration "soon"');
  expect(invalid.stderr.trim().split("\n")).toHaveLength(1);

  const suite = chaosProject({ chaosNamespaces: [namespace], experiments: { inline: killOne(namespace) } });
  const config = JSON.parse(readFileSync(suite.config, "utf8")) as { suites: Record<string, { steps: unknown[] }> };
  config.suites["chaos-suite"]!.steps.push({ chaos: "missing" });
  writeFileSync(suite.config, JSON.stringify(config));
  const validated = await runCli(["validate", "--config", suite.config]);
  expect(validated.code).toBe(2);
  expect(validated.stderr).toContain("suites.chaos-suite.steps.1.chaos: unknown experiment 'missing'");
});
