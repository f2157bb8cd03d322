// Issue 18, acceptance 4: the shipped rollout checks on real pods. A real-pod variant of the demo rollout
// Deployment runs on the real node (readiness probe, maxSurge 1 / maxUnavailable 0, a 2 s drain before a
// pod is told to stop); bulwark's engine loads it through the loopback front, which never retries.
// - rollout-demo: the load sees no failed request during the rollout (nor during the revert), asserted
//   from the engine's per-second time series; the drain is what makes that hold by construction, so each
//   scaled-down pod is probed: it kept accepting new connections until after the front had dropped it.
// - bad-release-demo: the release answers 500 and passes readiness, so the SLO breach during the rollout
//   is what detects it; the blip of failures and the full recovery after the restore are read from the
//   same series, and every failure is a 500 of a bad pod as the front counted it.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { V1Pod } from "@kubernetes/client-node";
import { expect } from "vitest";
import type { Check, StepResult } from "../../scripts/core/step-result.ts";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { inPodCidr, realNodeNetwork, type LoopbackFront } from "../../scripts/local/cluster/index.ts";
import { demoAppArgs, demoAppContainer } from "../../scripts/local/cluster/real-node/demo-app.ts";
import { rolloutDemo } from "../../scripts/local/cluster/demo-workloads/rollout.ts";
import { timeSeriesSchema } from "../../reports/timeseries/index.ts";
import { runCli, temporaryReportsRoot } from "../support/run-cli.ts";
import { deployDemo, frontFor, podNames, realNodeTest, useRealNode, waitForReadyRealPods } from "../support/real-node-fixture.ts";
import type { ClusterClients } from "../support/cluster-fixture.ts";

useRealNode();

/** The real-pod variant of bulwark-demo/demo-rollout (a name of this file's own, in the test's namespace). */
const app = "rollout-real";
const realRollout = {
  replicas: rolloutDemo.replicas,
  rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
  // Real pods start in 1-4 s on this machine; the deadline is not what catches the bad release here.
  progressDeadlineSeconds: 30,
  drainSeconds: 2,
};
/** browse-catalog iterations per second (two requests each). */
const iterationsPerSecond = 10;
const badFault = "errors=100%";

/** The shipped rollout-demo and bad-release-demo, aimed at the real-pod Deployment and loaded through the front. */
function realPodConfig(frontUrl: string, namespace: string): string {
  const shipped = JSON.parse(readFileSync(repoPath("bulwark.config.json"), "utf8"));
  const check = (name: string, change: object) => ({
    ...shipped.rolloutChecks[name],
    namespace,
    deployment: app,
    change,
    load: { ...shipped.rolloutChecks[name].load, profile: `real-${name}` },
    // Bounds the test if the cluster misbehaves (no budget is over 30 s).
    timeout: "30s",
  });
  const profile = (duration: string) => ({ executor: "constant-arrival-rate", ratePerSecond: iterationsPerSecond, duration, preAllocatedVUs: 5, maxVUs: 20 });
  const config = {
    slo: shipped.slo,
    endpoints: shipped.endpoints,
    // Long enough for the change, the rollout and the rollback, with seconds after the restore.
    profiles: { ...shipped.profiles, "real-rollout-demo": profile("25s"), "real-bad-release-demo": profile("20s") },
    suites: {},
    environments: { "real-node": { description: "the real node's demo pods through the loopback front", baseUrl: frontUrl, kubernetes: { local: true } } },
    defaultEnvironment: "real-node",
    rolloutChecks: {
      // A new release of the same image: a pod template annotation changes, so every pod is replaced.
      "rollout-demo": check("rollout-demo", { templatePatch: { metadata: { annotations: { "bulwark.dev/release": "2" } } } }),
      // A bad release: the demo target answering 500 to every /api request, /health still fine (Ready).
      "bad-release-demo": check("bad-release-demo", { templatePatch: { spec: { containers: [{ name: demoAppContainer, args: demoAppArgs([badFault]) }] } } }),
    },
  };
  const path = join(mkdtempSync(join(tmpdir(), "bulwark-rollout-real-")), "bulwark.config.json");
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

interface Run {
  step: StepResult;
  journal: { changedHash: string | null; originalHash: string; pods: { simulated: boolean } };
  seconds: { atMs: number; requests: number; failures: number }[];
}

/** Runs a rollout check through the CLI (exit 0 expected) and reads its run directory. */
async function rolloutCheck(name: string, configPath: string): Promise<Run> {
  const reports = temporaryReportsRoot();
  const result = await runCli(["rollout", name, "--config", configPath, "--out", reports], { BULWARK_AUDIT_LOG: join(reports, "audit.jsonl") });
  expect(result.code, result.stdout + result.stderr).toBe(0);
  const runs = readdirSync(reports).filter((entry) => existsSync(join(reports, entry, "summary.json")));
  expect(runs).toHaveLength(1);
  const runDirectory = join(reports, runs[0]!);
  const step = (JSON.parse(readFileSync(join(runDirectory, "summary.json"), "utf8")).steps as StepResult[])[0]!;
  const series = timeSeriesSchema.parse(JSON.parse(readFileSync(join(runDirectory, step.artifacts!.timeseries!), "utf8")));
  return {
    step,
    journal: JSON.parse(readFileSync(join(runDirectory, step.artifacts!.rollout!), "utf8")),
    seconds: series.time.map((time, index) => ({ atMs: time * 1000, requests: series.overall.requests[index]!, failures: series.overall.failures[index]! })),
  };
}

function checkNamed(step: StepResult, prefix: string): Check {
  const check = step.checks.find((candidate) => candidate.name.startsWith(prefix));
  expect(check, `a check named '${prefix}...' (checks: ${step.checks.map((candidate) => candidate.name).join(", ")})`).toBeDefined();
  return check!;
}

const phaseBounds = (step: StepResult, kind: string): [number, number] => {
  const phase = step.phases!.find((candidate) => candidate.kind === kind)!;
  return [Date.parse(phase.startedAt), Date.parse(phase.endedAt)];
};
/** The seconds of the series that overlap [fromMs, toMs). */
const overlapping = (seconds: Run["seconds"], fromMs: number, toMs: number) => seconds.filter((second) => second.atMs < toMs && second.atMs + 1000 > fromMs);
const sum = (seconds: Run["seconds"], key: "requests" | "failures") => seconds.reduce((total, second) => total + second[key], 0);

async function deployRealRollout(kube: ClusterClients, namespace: string, fronts: LoopbackFront[]): Promise<{ front: LoopbackFront; pods: V1Pod[] }> {
  await deployDemo(kube, namespace, { name: app, ...realRollout });
  const pods = await waitForReadyRealPods(kube, namespace, app, realRollout.replicas);
  const front = await frontFor(kube, namespace, app, fronts);
  await expect.poll(() => front.ready().length, { timeout: 10_000 }).toBe(realRollout.replicas);
  return { front, pods };
}

/**
 * When each pod stopped accepting new TCP connections: a connect every 25 ms to each pod (addresses in the
 * real node's pod range only, which this run created), until refused or the deadline.
 */
function watchAccepting(pods: V1Pod[], deadlineMs: number): { refusedAt: Map<string, number>; stop(): Promise<void> } {
  const network = realNodeNetwork();
  const refusedAt = new Map<string, number>();
  let running = true;
  const targets = pods.map((pod) => ({ name: pod.metadata!.name!, address: pod.status!.podIP! }));
  for (const target of targets) expect(inPodCidr(target.address, network), target.address).toBe(true);
  const accepts = (address: string) =>
    new Promise<boolean>((resolve) => {
      const socket = connect(8080, address);
      socket.setTimeout(1000);
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
      socket.once("timeout", () => (socket.destroy(), resolve(false)));
    });
  const loop = (async () => {
    while (running && Date.now() < deadlineMs) {
      const open = targets.filter((target) => !refusedAt.has(target.name));
      if (open.length === 0) break;
      await Promise.all(open.map(async (target) => ((await accepts(target.address)) ? undefined : refusedAt.set(target.name, Date.now()))));
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();
  return {
    refusedAt,
    async stop() {
      running = false;
      await loop;
    },
  };
}

/** When the front last stopped sending to a pod (its last change from a set with the pod to one without). */
function droppedAt(front: LoopbackFront, pod: string): number | undefined {
  let dropped: number | undefined;
  let had = false;
  for (const change of front.changes) {
    const has = change.ready.some((endpoint) => endpoint.pod === pod);
    if (had && !has) dropped = change.appliedAt;
    had = has;
  }
  return dropped;
}

const fromChange = (atMs: number, changeMs: number) => `${((atMs - changeMs) / 1000).toFixed(1)} s`;

realNodeTest("rollout-demo on real pods: no failed request during the rollout and the revert, from the engine's time series", async ({ kube, namespace, fronts }) => {
  const { front, pods } = await deployRealRollout(kube, namespace, fronts);
  const accepting = watchAccepting(pods, Date.now() + 60_000);
  const run = await rolloutCheck("rollout-demo", realPodConfig(front.url, namespace));
  await accepting.stop();
  const { step, journal, seconds } = run;

  // Real pods: the SLO of the rollout and the rollback phases is judged, not "not applicable".
  expect(journal.pods.simulated).toBe(false);
  expect(step.verdict).toBe("pass");
  expect(checkNamed(step, "rollout completes within").verdict).toBe("pass");
  for (const phase of ["rollout", "rollback"]) {
    const errors = checkNamed(step, `${phase} error rate`);
    expect([errors.verdict, errors.observed], errors.reason).toEqual(["pass", 0]);
  }
  // ... and so is the load as a whole (its SLO thresholds), as for any load step.
  expect(step.checks.some((check) => check.kind === "threshold" && check.name.startsWith("list-items error rate"))).toBe(true);

  // The time series: requests in every second of the rollout, none failed; none anywhere in the load.
  const [changeMs, rolloutEndMs] = phaseBounds(step, "rollout");
  const [, restoredMs] = phaseBounds(step, "rollback");
  const rollout = overlapping(seconds, changeMs, rolloutEndMs);
  expect(rollout.length).toBeGreaterThan(0);
  for (const second of rollout) expect(second.requests, `requests in the second at ${fromChange(second.atMs, changeMs)}`).toBeGreaterThan(0);
  expect(sum(rollout, "failures")).toBe(0);
  expect(sum(seconds, "failures")).toBe(0);
  expect(sum(seconds, "requests")).toBe(step.totals!.requests);
  // ... and what the front saw agrees: nothing it had to answer itself, no 5xx from a pod.
  expect(front.failures).toEqual({ noEndpoint: 0, upstreamError: 0, upstreamTimeout: 0 });
  expect(front.serverErrorsBy.size).toBe(0);
  // The new release served part of the load: the rollout went through the load's path.
  expect([...front.servedBy.keys()].some((pod) => pod.includes(`-${journal.changedHash}-`))).toBe(true);

  // Why none failed: each original pod was dropped by the front before it stopped accepting connections.
  const windows = podNames(pods).map((pod) => ({ pod, dropped: droppedAt(front, pod), refused: accepting.refusedAt.get(pod) }));
  for (const { pod, dropped, refused } of windows) {
    expect(dropped, `the front dropped ${pod}`).toBeDefined();
    expect(refused, `${pod} stopped accepting`).toBeDefined();
    expect(dropped!, `${pod}: dropped by the front before it refused connections`).toBeLessThan(refused!);
  }
  process.stderr.write(
    `[real-node] rollout-demo: rollout ${fromChange(rolloutEndMs, changeMs)}, restored ${fromChange(restoredMs, rolloutEndMs)} after the revert; ` +
      `${sum(seconds, "requests")} requests, ${sum(rollout, "requests")} during the rollout, failed ${sum(seconds, "failures")}; ` +
      `front dropped each old pod before it refused connections by ${windows.map(({ dropped, refused }) => `${refused! - dropped!} ms`).join(", ")}\n`,
  );
});

realNodeTest("bad-release-demo on real pods: detected by the SLO breach, rolled back; the error blip and the recovery from the time series", async ({ kube, namespace, fronts }) => {
  const { front } = await deployRealRollout(kube, namespace, fronts);
  const { step, journal, seconds } = await rolloutCheck("bad-release-demo", realPodConfig(front.url, namespace));

  expect(journal.pods.simulated).toBe(false);
  expect(step.verdict).toBe("pass");
  const detected = checkNamed(step, "bad change detected within");
  expect(detected.verdict).toBe("pass");
  // The bad pods pass readiness: neither the progress deadline nor readiness catches them, the SLO does.
  expect(detected.reason).toContain("detected by an SLO breach during the rollout");
  const restored = checkNamed(step, "restored within");
  expect(restored.verdict).toBe("pass");
  expect(restored.reason).toContain("and the SLO holding again");
  expect(checkNamed(step, "Deployment ends on its original pod template").verdict).toBe("pass");
  // The blip is deliberate: the load's whole-step thresholds are left out, the phase after the restore is judged.
  expect(step.checks.filter((check) => check.kind === "threshold")).toEqual([]);

  const [changeMs, detectedMs] = phaseBounds(step, "rollout");
  const [, restoredMs] = phaseBounds(step, "rollback");
  expect((detectedMs - changeMs) / 1000).toBeCloseTo(detected.observed!, 2);
  expect((restoredMs - detectedMs) / 1000).toBeCloseTo(restored.observed!, 2);

  // The blip: no failure before the change, failures between the change and the restore, and only there.
  const before = seconds.filter((second) => second.atMs + 1000 <= changeMs);
  const blip = overlapping(seconds, changeMs, restoredMs);
  const after = seconds.filter((second) => second.atMs >= restoredMs);
  expect(sum(before, "requests")).toBeGreaterThan(0);
  expect(sum(before, "failures")).toBe(0);
  const failed = sum(blip, "failures");
  expect(failed).toBeGreaterThan(0);
  expect(sum(seconds, "failures")).toBe(failed);
  // Detection follows the first failure, and the restore the last (a failure ends within its second).
  const failedSeconds = blip.filter((second) => second.failures > 0);
  expect(detectedMs).toBeGreaterThan(failedSeconds[0]!.atMs);
  expect(restoredMs).toBeGreaterThan(failedSeconds.at(-1)!.atMs);
  // The recovery: every second after the restore answered in full.
  expect(after.length).toBeGreaterThanOrEqual(3);
  for (const second of after.slice(0, -1)) {
    expect(second.failures, `failures in the second at ${fromChange(second.atMs, changeMs)}`).toBe(0);
    expect(second.requests).toBeGreaterThan(0);
  }

  // bulwark's own measure of the blip and its verdict on the recovery agree with the series.
  const measured = checkNamed(step, "error blip of the bad change");
  expect(measured.observed).toBe(failed);
  const recovery = checkNamed(step, "after error rate");
  expect([recovery.verdict, recovery.observed]).toEqual(["pass", 0]);
  // Every failure is a 500 that a pod of the bad release answered; the rollback itself dropped nothing.
  const badPods = [...front.serverErrorsBy.keys()];
  expect(badPods.length).toBeGreaterThan(0);
  expect(badPods.every((pod) => pod.includes(`-${journal.changedHash}-`))).toBe(true);
  expect([...front.serverErrorsBy.values()].reduce((total, count) => total + count, 0)).toBe(failed);
  expect(front.failures).toEqual({ noEndpoint: 0, upstreamError: 0, upstreamTimeout: 0 });

  process.stderr.write(
    `[real-node] bad-release-demo: detected ${fromChange(detectedMs, changeMs)} after the change, restored ${fromChange(restoredMs, detectedMs)} after the rollback started; ` +
      `blip ${failed} failed of ${sum(blip, "requests")} requests in ${failedSeconds.length} s (seconds ${fromChange(failedSeconds[0]!.atMs, changeMs)} to ${fromChange(failedSeconds.at(-1)!.atMs, changeMs)} from the change), ` +
      `then ${sum(after, "requests")} requests in ${after.length} s after the restore, none failed; 500s by ${badPods.length} bad pod(s)\n`,
  );
});
