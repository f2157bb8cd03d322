// One scaling check: watch the workload, start the usage bridge on the local cluster, run the load, keep
// watching until the scale-in is seen or its deadline passes, then judge the recorded timeline.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { KubeConfig } from "@kubernetes/client-node";
import { audit } from "../../core/audit-log.ts";
import { realClock, isoTime, type Clock } from "../../core/clock.ts";
import type { Check, StepResult, Verdict } from "../../core/step-result.ts";
import { writeFileAtomic } from "../../core/write-atomic.ts";
import { longestDurationMs } from "../../../thresholds/schema.ts";
import { runLoadAlongside } from "../load/load-alongside.ts";
import type { PreparedLoad } from "../load/kind.ts";
import type { PlannedStep, StepRunContext } from "../step-kind.ts";
import { expectationLimits, hpaNameOf, type ScalingCheck } from "./definition.ts";
import { judgeExpectations, observationComplete } from "./expectations.ts";
import { replicaTimelineEntry, scalingChecks, scalingSeries, scalingTimelineEvents, type ObservationWindow, type ReplicaTimelineEntry } from "./report.ts";
import { startUsageBridge, type UsageBridge } from "./usage-bridge.ts";
import { ScalingWatcher } from "./watcher.ts";

export const replicasFile = "replicas.json";

/** Adds this step's timeline to the run's replicas.json (one entry per scaled workload), atomically. */
async function appendReplicaTimeline(path: string, entry: ReplicaTimelineEntry): Promise<void> {
  const existing = existsSync(path) ? (JSON.parse(await readFile(path, "utf8")) as ReplicaTimelineEntry[]) : [];
  await writeFileAtomic(path, JSON.stringify([...existing.filter((other) => other.target !== entry.target), entry], null, 2) + "\n");
}

/** Resolves when `done()` holds (checked at every record and every second) or the signal aborts. */
function until(watcher: ScalingWatcher, done: () => boolean, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      clearInterval(timer);
      unsubscribe();
      signal.removeEventListener("abort", finish);
      resolve();
    };
    const check = () => {
      if (signal.aborted || done() || watcher.failure()) finish();
    };
    // The timer only notices a deadline passing; every change is seen the instant its watch event arrives.
    const timer = setInterval(check, 250);
    const unsubscribe = watcher.onRecord(check);
    signal.addEventListener("abort", finish, { once: true });
    check();
  });
}

/**
 * aborted; error when a watch was refused or the load engine failed; fail when an expectation failed;
 * error when one could not be judged (the observation ended early without an abort); invalid when the
 * load generator could not send the planned load; else pass.
 */
export function stepVerdict(facts: { aborted: boolean; watchFailed: boolean; load: Verdict; checks: readonly Check["verdict"][] }): Verdict {
  if (facts.aborted) return "aborted";
  if (facts.watchFailed || facts.load === "error") return "error";
  if (facts.checks.includes("fail")) return "fail";
  if (facts.checks.includes("no-data")) return "error";
  return facts.load === "invalid" ? "invalid" : "pass";
}

export interface ScalingRunInput {
  step: PlannedStep;
  checkName: string;
  check: ScalingCheck;
  kubeConfig: KubeConfig;
  load: PreparedLoad;
  context: StepRunContext;
  clock?: Clock;
}

export async function runScalingCheck(input: ScalingRunInput): Promise<StepResult> {
  const { step, check, context, kubeConfig } = input;
  const clock = input.clock ?? realClock;
  const limits = expectationLimits(check.expect);
  const workload = { namespace: check.workload.namespace, deployment: check.workload.deployment, hpa: hpaNameOf(check) };
  const target = `deployment/${workload.namespace}/${workload.deployment}`;
  const startedAt = new Date();
  const watcher = new ScalingWatcher(kubeConfig, workload, clock);
  let bridge: UsageBridge | undefined;
  const extraEvents: { atMs: number; event: string; detail: string }[] = [];
  try {
    await watcher.start();
    const observationStartMs = clock.now();
    context.log(`scale: watching HorizontalPodAutoscaler ${workload.namespace}/${workload.hpa} and Deployment ${workload.deployment}`);
    if (check.usageBridge) {
      const metricsUrl = input.load.demoTarget?.metricsUrl;
      if (!metricsUrl) throw new Error("usageBridge: the demo target is not running (environments with demo: true start it)");
      await audit({ action: "usage-bridge", target, environment: context.environmentName, runId: context.runDirectory.runId, result: "started", detail: `${check.usageBridge.cpuMsPerRequest} ms CPU per request` });
      bridge = await startUsageBridge({
        config: kubeConfig,
        environmentName: context.environmentName,
        environment: context.environment,
        namespace: workload.namespace,
        metricsUrl,
        settings: check.usageBridge,
        readyPods: () => watcher.readyPods(),
        livePods: () => watcher.livePods(),
        clock,
        // A safety net only (the bridge is stopped below): the longest load a config may ask for, plus the scale-in window.
        maxDurationMs: longestDurationMs + (limits.scaleIn?.withinMs ?? 0) + 60_000,
        log: context.log,
      });
      extraEvents.push({ atMs: clock.now(), event: "usage-bridge-started", detail: `simulation aid: ${check.usageBridge.cpuMsPerRequest} ms CPU per served request, spread over the Ready pods` });
    }

    const loadRun = await runLoadAlongside(step.stepName, check.load, input.load, context, async (running) => {
      let loadDone = false;
      void running.finished.then(() => (loadDone = true));
      await until(watcher, () => loadDone, context.abortSignal);
      // A watch the cluster refused for good: the rest of the load would prove nothing.
      if (watcher.failure()) running.stop();
      await running.finished;
    });
    const loadStartMs = loadRun.startedAtMs;
    const loadEndMs = loadRun.endedAtMs;
    if (limits.scaleIn && !context.abortSignal.aborted) context.log(`scale: load ended; watching for the scale-in (up to ${Math.round(limits.scaleIn.withinMs / 1000)} s)`);
    await until(watcher, () => observationComplete(watcher.timeline().samples, limits, { startMs: loadStartMs, endMs: loadEndMs }, clock.now()), context.abortSignal);
    const observedUntilMs = clock.now();
    watcher.stop();
    if (bridge) {
      await bridge.stop();
      extraEvents.push({ atMs: clock.now(), event: "usage-bridge-stopped", detail: `peak served rate ${Math.round(bridge.peakRate() * 10) / 10} requests/s; every pod back at idle usage` });
      await audit({ action: "usage-bridge", target, environment: context.environmentName, runId: context.runDirectory.runId, result: "succeeded" });
    }

    const timeline = watcher.timeline();
    const window: ObservationWindow = { startMs: observationStartMs, loadStartMs, loadEndMs, endMs: observedUntilMs };
    const outcomes = judgeExpectations(timeline.samples, limits, { loadStartMs, loadEndMs, observedUntilMs });
    for (const reconnect of watcher.reconnects) extraEvents.push({ atMs: reconnect.atMs, event: "watch-reconnect", detail: reconnect.reason });
    const checks = scalingChecks(outcomes, timeline, window);
    await appendReplicaTimeline(context.runDirectory.file(replicasFile), replicaTimelineEntry(target, timeline, window));
    // Every recorded fact with its arrival instant: the expectations can be judged again from this file alone.
    const timelineFile = `${step.stepName}.scaling-timeline.json`;
    await writeFileAtomic(context.runDirectory.file(timelineFile), JSON.stringify({ workload, window, timeline }, null, 2) + "\n");
    const failure = watcher.failure();
    const aborted = context.abortSignal.aborted;
    const loadResult = loadRun.load;
    const generatorChecks = loadResult.checks.filter((candidate) => candidate.kind === "generator");
    const verdict = stepVerdict({ aborted, watchFailed: failure !== undefined, load: loadResult.verdict, checks: checks.map((one) => one.verdict) });
    const finishedAt = new Date();
    const error = aborted ? "interrupted" : (failure?.message ?? (loadResult.verdict === "error" ? loadResult.error : undefined));
    return {
      name: step.stepName,
      kind: step.kind,
      scenario: check.load.scenario,
      profile: check.load.profile,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      ...(loadResult.plannedDurationMs !== undefined ? { plannedDurationMs: loadResult.plannedDurationMs } : {}),
      verdict,
      ...(error ? { error } : {}),
      ...(loadResult.engineExitCode !== undefined ? { engineExitCode: loadResult.engineExitCode } : {}),
      ...(loadResult.totals ? { totals: loadResult.totals } : {}),
      ...(loadResult.endpoints ? { endpoints: loadResult.endpoints } : {}),
      ...(loadResult.generator ? { generator: loadResult.generator } : {}),
      checks: [...checks, ...generatorChecks],
      phases: [
        { name: "load", kind: "load", startedAt: isoTime(loadStartMs), endedAt: isoTime(loadEndMs) },
        ...(observedUntilMs > loadEndMs ? [{ name: "after load", kind: "after" as const, startedAt: isoTime(loadEndMs), endedAt: isoTime(observedUntilMs) }] : []),
      ],
      timeline: scalingTimelineEvents(timeline, window, outcomes, extraEvents),
      series: scalingSeries(timeline, window, bridge ? bridge.written : null),
      artifacts: { ...loadResult.artifacts, replicas: replicasFile, scalingTimeline: timelineFile },
    };
  } finally {
    watcher.stop();
    await bridge?.stop().catch(() => undefined);
  }
}
