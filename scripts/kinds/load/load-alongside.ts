// A load that runs alongside another kind's work (a chaos experiment, a rollout, an alert check, a
// scaling check): prepared like a load step, run with every request recorded so that the other kind can
// judge phases of it, and a live view for safety limits.
import type { RequestSamples } from "../../core/request-samples.ts";
import type { StepResult } from "../../core/step-result.ts";
import type { RunContext, StepRunContext } from "../step-kind.ts";
import { loadKind, plannedLoadStep, type PreparedLoad } from "./kind.ts";
import { buildRunPlan } from "./plan.ts";
import { runScenarioStep } from "./run-step.ts";

/** The load of a check: a scenario and a profile, as in a suite step. */
export interface LoadSpec {
  scenario: string;
  profile: string;
}

/** Validates the loads (unknown scenario or profile, missing baseUrl: exit 2), as load steps would be. */
export async function checkLoads(loads: readonly LoadSpec[], context: RunContext): Promise<void> {
  await loadKind.check(loads.map((load, index) => plannedLoadStep(`load-${index}`, load.scenario, load.profile)), context);
}

/** Engine, bundles, the demo target when the environment uses it, and a healthy target (exit 3 otherwise). */
export async function prepareLoads(loads: readonly LoadSpec[], context: RunContext): Promise<PreparedLoad> {
  return (await loadKind.prepare(
    loads.map((load, index) => plannedLoadStep(`load-${index}`, load.scenario, load.profile)),
    context,
  )) as PreparedLoad;
}

/** What the work alongside the load gets while the load runs. */
export interface RunningLoad {
  /** When the engine was started (Unix ms); its first requests follow within a few hundred ms. */
  startedAtMs: number;
  /** Requests recorded so far (about a second behind). */
  live(): RequestSamples;
  /** Stops the load early (the load step is then marked aborted). */
  stop(): void;
  /** Settles when the load has ended. */
  finished: Promise<void>;
}

export interface LoadAlongsideResult<T> {
  /** The load judged as a whole, as a load step (SLO thresholds of the scenario's endpoints). */
  load: StepResult;
  /** Every request of the load, for judging phases (scripts/kinds/load/phases.ts). */
  requests: RequestSamples;
  /** Unix ms when the load started and ended. */
  startedAtMs: number;
  endedAtMs: number;
  /** The time series file in the run directory, when the load produced samples. */
  timeseriesFile: string | null;
  /** What the work alongside returned. */
  value: T;
}

/**
 * Runs `load` on the engine and `work` at the same time. If `work` throws, the load is stopped and the
 * error rethrown once the load has ended; the run's abort signal stops both.
 */
export async function runLoadAlongside<T>(
  stepName: string,
  load: LoadSpec,
  prepared: PreparedLoad,
  context: StepRunContext,
  work: (running: RunningLoad) => Promise<T>,
): Promise<LoadAlongsideResult<T>> {
  const plan = buildRunPlan({ config: context.config, environmentName: context.environmentName, scenario: load.scenario, profileName: load.profile, baseUrl: prepared.baseUrl, runId: context.runDirectory.runId });
  const stopLoad = new AbortController();
  const onAbort = () => stopLoad.abort();
  context.abortSignal.addEventListener("abort", onAbort, { once: true });
  const loadStepName = `${stepName}-load`;
  let startedAtMs = 0;
  let endedAtMs = 0;
  try {
    const recorded = await context.recordRequests(loadStepName, async (engineArgs, live) => {
      startedAtMs = Date.now();
      const loadRun = runScenarioStep({
        engine: prepared.engine,
        plan,
        stepName: loadStepName,
        runDirectory: context.runDirectory,
        abortSignal: stopLoad.signal,
        extraEngineArgs: engineArgs,
        ...(prepared.authorization ? { authorization: prepared.authorization } : {}),
      }).finally(() => (endedAtMs = Date.now()));
      const finished = loadRun.then(
        () => undefined,
        () => undefined,
      );
      const workRun = work({ startedAtMs, live, stop: () => stopLoad.abort(), finished }).catch((error: unknown) => {
        stopLoad.abort();
        throw error;
      });
      const [loadResult, workResult] = await Promise.allSettled([loadRun, workRun]);
      if (workResult.status === "rejected") throw workResult.reason;
      if (loadResult.status === "rejected") throw loadResult.reason;
      return { load: loadResult.value, value: workResult.value };
    });
    const load = recorded.timeseriesFile ? { ...recorded.value.load, artifacts: { ...recorded.value.load.artifacts, timeseries: recorded.timeseriesFile } } : recorded.value.load;
    return { load, requests: recorded.requests, startedAtMs, endedAtMs, timeseriesFile: recorded.timeseriesFile, value: recorded.value.value };
  } finally {
    context.abortSignal.removeEventListener("abort", onAbort);
  }
}
