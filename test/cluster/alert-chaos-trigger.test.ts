// A Chaos Mesh fault as an alert check's trigger, on the local cluster (real API server and Chaos Mesh
// controller) with a monitoring estate of this file's own: a pod-kill of one of three KWOK pods is
// really injected (proven from the object's status and the pod's UID, which the test checks itself),
// but KWOK pods serve nothing, so the demo target's error rate cannot change and DemoHighErrorRate
// honestly does not fire within the budget (exit 1); the PodChaos object is removed afterwards, also
// when the check is interrupted. A blast radius beyond the environment's limit is refused (exit 2)
// before anything is created.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { ChaosApi } from "../../chaos/faults/index.ts";
import type { RunSummary } from "../../reports/summary-schema.ts";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { waitFor } from "../../scripts/core/wait-for.ts";
import { shippedRuleFiles } from "../../scripts/local/monitoring/index.ts";
import { experiment } from "../support/chaos-experiment.ts";
import { clusterTest, deployment, isRunningAndReady, podsOf, type ClusterClients } from "../support/cluster-fixture.ts";
import { startTestMonitoring, type TestMonitoring } from "../support/monitoring-fixture.ts";
import { runCli, startCli, temporaryReportsRoot } from "../support/run-cli.ts";

let monitoring: TestMonitoring;

beforeAll(async () => {
  monitoring = await startTestMonitoring({ ruleFiles: shippedRuleFiles() });
});

afterAll(async () => {
  await monitoring?.[Symbol.asyncDispose]();
});

async function threeReadyPods(kube: ClusterClients, namespace: string): Promise<string[]> {
  await kube.apps.createNamespacedDeployment({ namespace, body: deployment("web", 3) });
  const ready = await waitFor(
    async () => {
      const pods = (await podsOf(kube, namespace, "web")).filter(isRunningAndReady);
      return pods.length === 3 && pods;
    },
    { timeoutMs: 60_000, intervalMs: 250, description: "3 Ready web pods" },
  );
  return ready.map((pod) => pod.metadata!.uid!);
}

/** The repository's config with a pod-kill experiment on `namespace`/web as the trigger of DemoHighErrorRate. */
function project(namespace: string) {
  const config = JSON.parse(readFileSync(repoPath("bulwark.config.json"), "utf8")) as Record<string, any>;
  const kill = (mode: Record<string, unknown>) =>
    experiment(namespace, "web", { load: { scenario: "smoke", profile: "chaos" }, method: { faults: [{ name: "kill-one", duration: "60s", fault: { kind: "PodChaos", action: "pod-kill" }, ...mode }] }, injectionDeadline: "15s" });
  config.experiments = { "kill-web": kill({}), "kill-all-web": kill({ mode: "all" }) };
  const check = (experimentName: string) => ({
    alert: "DemoHighErrorRate",
    matchers: { service: "demo" },
    watch: ["prometheus"],
    trigger: { chaos: experimentName },
    load: { scenario: "browse-catalog", profile: "alert-short" },
    budgets: { fireWithin: "8s", resolveWithin: "10s" },
  });
  config.alertChecks = { "errors-after-kill": check("kill-web"), "errors-after-killing-all": check("kill-all-web") };
  config.alertRules = {};
  config.suites = { nightly: config.suites.nightly };
  config.profiles["alert-short"] = { executor: "constant-arrival-rate", ratePerSecond: 10, duration: "40s", preAllocatedVUs: 5, maxVUs: 20 };
  config.environments.local = { ...config.environments.local, kubernetes: { local: true, chaosNamespaces: [namespace] } };
  const dir = mkdtempSync(join(tmpdir(), "bulwark-alert-chaos-cluster-"));
  const path = join(dir, "bulwark.config.json");
  writeFileSync(path, JSON.stringify(config));
  const auditLog = join(dir, "audit.jsonl");
  const env = { ...monitoring.env, BULWARK_AUDIT_LOG: auditLog, BULWARK_CONFIG: "", BULWARK_ENV: "" };
  return {
    run: (args: string[]) => runCli([...args, "--config", path], env),
    start: (args: string[]) => startCli([...args, "--config", path], env),
    auditLines: () => (existsSync(auditLog) ? readFileSync(auditLog, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as { action: string; result: string }) : []),
  };
}

/** The chaos objects bulwark manages in `namespace` (read again while the API server answers 429: CRDs being re-applied). */
const managedIn = (kube: ClusterClients, namespace: string) =>
  waitFor(() => new ChaosApi(kube.config).listManaged({ namespaces: [namespace] }), { timeoutMs: 15_000, intervalMs: 250, description: `the chaos objects in ${namespace}` });

clusterTest("a pod-kill as the trigger: injected for real and proven, the alert honestly does not fire within its budget (exit 1), the PodChaos removed", async ({ kube, namespace }) => {
  const uidsBefore = await threeReadyPods(kube, namespace);
  const check = project(namespace);
  const { code, stdout, stderr } = await check.run(["alert", "errors-after-kill", "--out", temporaryReportsRoot(), "--json"]);
  expect(code, stderr).toBe(1);
  const step = (JSON.parse(stdout) as RunSummary).steps[0]!;
  expect(step.checks.map((one) => [one.kind, one.name, one.verdict])).toEqual([
    ["injection", "injection kill-one", "pass"],
    ["safety", "every fault removed, rollbacks done", "pass"],
    ["alert", "DemoHighErrorRate fires within 8.0 s of the fault", "fail"],
    ["alert", "DemoHighErrorRate resolves within 10 s of the fault's removal", "no-data"],
  ]);
  expect(step.checks[2]!.reason).toMatch(/^DemoHighErrorRate did not fire within 8\.0 s \(rule group interval 1 s \+ for 5 s; it never became pending\)$/);

  // The kill was real: the pod the proof names existed before and its UID is gone now (the test's own reading).
  const proof = /pod (\S+) \(uid ([0-9a-f]{8})\) deleted/.exec(step.checks[0]!.reason ?? "");
  expect(proof, step.checks[0]!.reason).not.toBeNull();
  expect(uidsBefore.map((uid) => uid.slice(0, 8))).toContain(proof![2]);
  const uidsNow = (await podsOf(kube, namespace, "web")).map((pod) => pod.metadata!.uid!.slice(0, 8));
  expect(uidsNow).not.toContain(proof![2]);

  // Nothing of the run is left in the cluster, and every action is in the audit log.
  expect(await managedIn(kube, namespace)).toEqual([]);
  expect(step.checks[1]!.reason).toMatch(/PodChaos .* deleted, gone after \d+\.\d s \(the alert check is done with it\)/);
  expect(check.auditLines().map((line) => `${line.action} ${line.result}`)).toEqual(["alert-fault-inject started", "chaos inject started", "chaos inject succeeded", "alert-fault-inject succeeded", "chaos remove reverted", "alert-fault-remove reverted"]);
});

clusterTest("SIGINT while the PodChaos is in: gone within 5 s, exit 130; a blast radius beyond the limit is refused (exit 2) before anything", async ({ kube, namespace }) => {
  await threeReadyPods(kube, namespace);
  const check = project(namespace);

  const refused = await check.run(["alert", "errors-after-killing-all", "--out", temporaryReportsRoot()]);
  expect(refused.code, refused.stderr).toBe(2);
  expect(refused.stderr.trim().split("\n")).toHaveLength(1);
  expect(refused.stderr).toMatch(/alertChecks\.errors-after-killing-all\.trigger\.chaos: mode all would touch 3 of 3 matching pods .*environments\.local\.kubernetes\.maxBlastRadius 0\.5 \(50 %\); nothing was injected/);
  expect(await managedIn(kube, namespace)).toEqual([]);
  expect(check.auditLines()).toEqual([]);

  const run = check.start(["alert", "errors-after-kill", "--out", temporaryReportsRoot(), "--json"]);
  const object = await waitFor(async () => (await managedIn(kube, namespace))[0], { timeoutMs: 60_000, intervalMs: 100, description: "the trigger's PodChaos" });
  run.child.kill("SIGINT");
  await waitFor(async () => (await managedIn(kube, namespace)).length === 0, { timeoutMs: 5_000, intervalMs: 100, description: `${object.metadata.name} to be gone within 5 s of SIGINT` });
  const { code, stdout } = await run.result;
  expect(code).toBe(130);
  expect((JSON.parse(stdout) as RunSummary).steps[0]!.verdict).toBe("aborted");
  expect(check.auditLines().map((line) => `${line.action} ${line.result}`)).toContain("chaos remove reverted");
});
