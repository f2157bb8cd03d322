// Distributed load, acceptance 4 (issue 19): `bulwark run --runners 2 --runners-on kubernetes` runs the load
// step as an Indexed Job of 2 runner pods on the real node (the runner image imported into its containerd,
// imagePullPolicy Never). The pods use the node's network and reach the demo Deployment through the
// loopback front on the node's own 127.0.0.1 (bridged to the front on this host, which forwards to the demo
// pods' addresses inside the run's namespace). bulwark reads each pod's summary from its log through the
// API, merges the exact counts and judges once. Ground truth: the demo pods' own request counters, read
// at their pod addresses, and the arrival-rate schedule (20 iterations/s for 6 s = 120 iterations).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BatchV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, expect } from "vitest";
import { summarySchema, type RunSummary } from "../../reports/summary-schema.ts";
import { demoAppPort, inPodCidr, realNodeLabel, realNodeName, realNodeNetwork, realNodeTaint, startFront, type LoopbackFront } from "../../scripts/local/cluster/index.ts";
import type { EngineSummaryData } from "../../scripts/kinds/load/engine-summary.ts";
import type { ClusterClients } from "../support/cluster-fixture.ts";
import { runCli, temporaryReportsRoot, type CliResult } from "../support/run-cli.ts";
import { deployDemo, realNodeTest, useRealNode, waitForReadyRealPods } from "../support/real-node-fixture.ts";

useRealNode();

const rate = 20;
const seconds = 6;
const iterations = rate * seconds;
const runners = 2;

let runnerImage = "";
const temporaryFolders: string[] = [];
afterAll(() => {
  for (const folder of temporaryFolders) rmSync(folder, { recursive: true, force: true });
});
beforeAll(async () => {
  // Built when its content changed, imported into the node's containerd when it is not there yet.
  const started = Date.now();
  const built = await runCli(["deploy", "image", "--real-node"]);
  expect(built.code, built.stderr).toBe(0);
  runnerImage = built.stdout.trim().split("\n").at(-1) ?? "";
  process.stderr.write(`[distributed-job] runner image ${runnerImage} ready on the node in ${((Date.now() - started) / 1000).toFixed(1)} s (${built.stderr.trim().split("\n").join("; ")})\n`);
}, 600_000);

function writeConfig(namespace: string, frontUrl: string): string {
  const config = {
    slo: { critical: { latencyP95Ms: 200, latencyP99Ms: 500, errorRate: 0.001 }, standard: { latencyP95Ms: 500, latencyP99Ms: 1000, errorRate: 0.01 } },
    endpoints: [
      { name: "list-items", method: "GET", path: "/api/items", criticality: "critical" },
      { name: "get-item", method: "GET", path: "/api/items/{id}", criticality: "critical" },
    ],
    profiles: { job: { executor: "constant-arrival-rate", ratePerSecond: rate, duration: `${seconds}s`, preAllocatedVUs: 20, maxVUs: 40 } },
    suites: {},
    environments: { "real-node": { baseUrl: frontUrl, kubernetes: { local: true } } },
    defaultEnvironment: "real-node",
    runnerJob: {
      namespace,
      image: runnerImage,
      imagePullPolicy: "Never",
      nodeSelector: { [realNodeLabel.key]: realNodeLabel.value },
      tolerations: [{ key: realNodeTaint.key, operator: "Equal", value: realNodeTaint.value, effect: realNodeTaint.effect }],
      startDelay: "4s",
    },
  };
  const folder = mkdtempSync(join(tmpdir(), "bulwark-distributed-job-"));
  temporaryFolders.push(folder);
  const path = join(folder, "bulwark.config.json");
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

/** The demo pods' own count of /api requests by route, read at their pod addresses (inside the run's namespace). */
async function requestsSeenByPods(kube: ClusterClients, namespace: string, app: string): Promise<Map<string, number>> {
  const pods = await waitForReadyRealPods(kube, namespace, app, 2);
  const byRoute = new Map<string, number>();
  for (const pod of pods) {
    const address = pod.status?.podIP ?? "";
    expect(inPodCidr(address, realNodeNetwork())).toBe(true);
    const text = await (await fetch(`http://${address}:${demoAppPort}/metrics`)).text();
    for (const match of text.matchAll(/^demo_http_requests_total\{method="GET",route="([^"]+)",status="\d+"\} (\d+)$/gm)) {
      byRoute.set(match[1]!, (byRoute.get(match[1]!) ?? 0) + Number(match[2]));
    }
  }
  return byRoute;
}

interface JobRun extends CliResult {
  summary: RunSummary;
  directory: string;
  runnerSummaries: EngineSummaryData[];
  runnerPods: { index: number; pod: string | null; node: string | null; engineExitCode: number | null; startBarrierMissedBy?: string }[];
}

async function runAsJob(config: string): Promise<JobRun> {
  const reports = temporaryReportsRoot();
  temporaryFolders.push(reports);
  const result = await runCli(["run", "browse-catalog", "--config", config, "--profile", "job", "--runners", String(runners), "--runners-on", "kubernetes", "--out", reports]);
  const runId = readdirSync(reports).find((entry) => /^\d/.test(entry));
  expect(runId, result.stderr).toBeDefined();
  const directory = join(reports, runId!);
  const summary = summarySchema.parse(JSON.parse(readFileSync(join(directory, "summary.json"), "utf8")));
  const step = summary.steps[0]!;
  expect(step.error, result.stderr).toBeUndefined();
  const read = (artifact: string) => JSON.parse(readFileSync(join(directory, step.artifacts![artifact]!), "utf8"));
  return {
    ...result,
    summary,
    directory,
    runnerSummaries: Array.from({ length: runners }, (_, index) => read(`runner${index}Summary`) as EngineSummaryData),
    runnerPods: read("runners").runners,
  };
}

async function frontOnNode(kube: ClusterClients, namespace: string, service: string, fronts: LoopbackFront[]): Promise<LoopbackFront> {
  const front = await startFront({ kubeconfig: kube.kubeconfig, namespace, service, targetPort: demoAppPort, network: realNodeNetwork(), onNodeLoopback: true });
  fronts.push(front);
  await expect.poll(() => front.ready().length, { timeout: 10_000 }).toBe(2);
  return front;
}

/** The merged figures against the runners' and the pods' own counts. */
async function expectExactMerge(run: JobRun, kube: ClusterClients, namespace: string, app: string): Promise<void> {
  const step = run.summary.steps[0]!;
  // Two pods of the Indexed Job, one per completion index, both on the real node.
  expect(run.runnerPods.map((runner) => runner.index)).toEqual([0, 1]);
  expect(run.runnerPods.every((runner) => runner.node === realNodeName && runner.pod !== null)).toBe(true);
  expect(new Set(run.runnerPods.map((runner) => runner.pod)).size).toBe(runners);
  const count = (data: EngineSummaryData, metric: string) => data.metrics[metric]?.values.count ?? 0;
  const [first, second] = run.runnerSummaries as [EngineSummaryData, EngineSummaryData];
  // Each runner ran its stripe of the one schedule (i ≡ k mod 2): half the iterations each, all of them together.
  expect([count(first, "iterations"), count(second, "iterations")]).toEqual([iterations / 2, iterations / 2]);
  expect(step.totals!.iterations).toBe(iterations);
  expect(step.totals!.droppedIterations).toBe(0);
  // The merged request count is the sum of the runners' counts ...
  expect(step.totals!.requests).toBe(count(first, "http_reqs") + count(second, "http_reqs"));
  // ... and per endpoint what the demo pods counted.
  const seen = await requestsSeenByPods(kube, namespace, app);
  const endpoint = (name: string) => step.endpoints!.find((each) => each.name === name)!.requests;
  expect(endpoint("list-items")).toBe(iterations);
  expect(endpoint("get-item")).toBe(iterations);
  expect(seen.get("/api/items")).toBe(iterations);
  expect(seen.get("/api/items/{id}")).toBe(iterations);
  const merged = run.summary.steps[0]!.checks.find((check) => check.metric === "http_req_duration{endpoint:get-item}" && check.expression === "p(95)<200")!;
  expect(merged.samples).toBe(iterations);
}

async function expectJobGone(kube: ClusterClients, namespace: string): Promise<void> {
  const batch = kube.config.makeApiClient(BatchV1Api);
  await expect.poll(async () => (await batch.listNamespacedJob({ namespace })).items.length, { timeout: 10_000 }).toBe(0);
  await expect.poll(async () => (await kube.core.listNamespacedConfigMap({ namespace, labelSelector: "app.kubernetes.io/name=bulwark-runner" })).items.length, { timeout: 10_000 }).toBe(0);
}

realNodeTest("an Indexed Job of 2 runner pods loads the demo Deployment through the loopback front; bulwark merges and passes once", async ({ kube, namespace, fronts }) => {
  await deployDemo(kube, namespace, { name: "demo", replicas: 2 });
  await waitForReadyRealPods(kube, namespace, "demo", 2);
  const front = await frontOnNode(kube, namespace, "demo", fronts);

  const run = await runAsJob(writeConfig(namespace, front.url));
  expect(run.code, run.stderr).toBe(0);
  expect(run.summary.verdict).toBe("pass");
  expect(run.summary.steps[0]!.verdict).toBe("pass");
  await expectExactMerge(run, kube, namespace, "demo");
  // The load went through the front, to both demo pods.
  expect([...front.servedBy.values()].every((answers) => answers > 0)).toBe(true);
  expect(front.servedBy.size).toBe(2);
  await expectJobGone(kube, namespace);
  process.stderr.write(
    `[distributed-job] pass: ${run.summary.steps[0]!.totals!.requests} requests merged from ${run.runnerPods.map((runner) => `${runner.pod} (index ${runner.index}${runner.startBarrierMissedBy ? `, start missed by ${runner.startBarrierMissedBy}` : ""})`).join(", ")}; step ${(run.summary.steps[0]!.durationMs / 1000).toFixed(1)} s\n`,
  );
});

realNodeTest("the same Job against demo pods answering after 300 ms: the merged p95 < 200 ms fails (exit 1)", async ({ kube, namespace, fronts }) => {
  await deployDemo(kube, namespace, { name: "slow", replicas: 2, faults: ["latency=300ms"] });
  await waitForReadyRealPods(kube, namespace, "slow", 2);
  const front = await frontOnNode(kube, namespace, "slow", fronts);

  const run = await runAsJob(writeConfig(namespace, front.url));
  expect(run.code, run.stderr).toBe(1);
  expect(run.summary.verdict).toBe("fail");
  await expectExactMerge(run, kube, namespace, "slow");
  const p95 = run.summary.steps[0]!.checks.find((check) => check.metric === "http_req_duration{endpoint:get-item}" && check.expression === "p(95)<200")!;
  // Every request took at least the injected 300 ms: all of them are over the limit.
  expect(p95).toMatchObject({ verdict: "fail", samples: iterations, beyondLimit: iterations });
  expect(p95.observed).toBeGreaterThanOrEqual(300);
  await expectJobGone(kube, namespace);
});
