import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import type { KubeConfig } from "@kubernetes/client-node";
import type { StepResult, Verdict } from "../../core/step-result.ts";
import type { RunDirectory } from "../../core/run-directory.ts";
import { plannedDurationMs, sizeVus } from "../../../thresholds/compile-options.ts";
import { authorizationEnvVar, planEnvVar, type RunPlan } from "../../../thresholds/run-plan.ts";
import { findScenario, scenarioEndpoints as endpointsOfScenario } from "./scenarios.ts";
import type { EngineBinary } from "./engine-binary.ts";
import { engineErrorMessage, engineExit, runEngine, type EngineOutcome } from "./engine-process.ts";
import { scenarioBundlePath } from "./bundle.ts";
import { endpointStats, loadTotals, thresholdChecks, type EngineSummaryData } from "./engine-summary.ts";
import { startProgress } from "../../core/progress.ts";
import { generatorCheck, generatorState, judgeLoadChecks } from "./generator.ts";
import { runLocalRunners, type RunnersOutcome } from "./runners.ts";
import { runJobRunners } from "./job-runners.ts";
import type { RunnerJobSettings } from "./runner-job.ts";

export interface ScenarioStepInput {
  engine: EngineBinary;
  plan: RunPlan;
  stepName: string;
  runDirectory: RunDirectory;
  abortSignal: AbortSignal;
  /** The Authorization header value for the target, passed to the engine through its environment only. */
  authorization?: string;
  /** Extra `bulwark-engine run` arguments, e.g. the metric stream. */
  extraEngineArgs?: string[];
  /** Engine processes on this machine, each an execution segment, merged into one result (default 1). */
  runners?: number;
  /** Run the runners as an Indexed Job of pods in this cluster instead of on this machine (docs/distributed.md). */
  runnerJob?: { kubeConfig: KubeConfig; settings: RunnerJobSettings };
}

/**
 * The environment a scenario's engine process gets: the plan's path and, out of band, the target's
 * Authorization header value. BULWARK_TARGET (which may carry credentials) is not passed on, nor an
 * Authorization value bulwark did not decide.
 */
export function scenarioEnvironment(planPath: string, authorization: string | undefined): NodeJS.ProcessEnv {
  const { BULWARK_TARGET: _target, [authorizationEnvVar]: _inherited, ...inherited } = process.env;
  return { ...inherited, [planEnvVar]: planPath, ...(authorization ? { [authorizationEnvVar]: authorization } : {}) };
}

/** Why a step that has a summary is not simply judged by its checks; null when it is. */
function outcomeError(outcome: EngineOutcome): { verdict: Verdict; error: string } | null {
  if (outcome.aborted) return { verdict: "aborted", error: "interrupted: results cover the load sent until then" };
  switch (outcome.exitCode) {
    case engineExit.passed:
    case engineExit.thresholdsFailed:
    case engineExit.thresholdsAborted:
      return null;
    case engineExit.scriptAborted:
      return { verdict: "error", error: `the scenario stopped the test: ${engineErrorMessage(outcome.log)}` };
    case engineExit.teardownFailed:
      return { verdict: "error", error: `teardown or handleSummary failed: ${engineErrorMessage(outcome.log)}` };
    default:
      return { verdict: "error", error: `the load engine exited with code ${outcome.exitCode}: ${engineErrorMessage(outcome.log)}` };
  }
}

/** Runs one scenario on the engine and turns its end-of-test data into a step result with its checks. */
export async function runScenarioStep(input: ScenarioStepInput): Promise<StepResult> {
  const { runDirectory, stepName } = input;
  const runners = input.runners ?? 1;
  // A runner sees only its slice: it must never stop the whole test on its own partial verdict.
  const plan = runners > 1 ? { ...input.plan, profile: { ...input.plan.profile, abortOnFail: false } } : input.plan;
  const files = { plan: `${stepName}.plan.json`, engineLog: `${stepName}.engine.log`, engineSummary: `${stepName}.engine-summary.json` };
  const artifacts: Record<string, string> = { ...files };
  const planPath = runDirectory.file(files.plan);
  const summaryPath = runDirectory.file(files.engineSummary);
  await writeFile(planPath, JSON.stringify(plan, null, 2));

  const plannedMs = plannedDurationMs(plan.profile);
  const startedAt = new Date();
  const stopProgress = startProgress(`${stepName} (${plan.scenario}, ${plan.profileName})`, plannedMs);
  let outcome: EngineOutcome;
  let merged: EngineSummaryData | null | undefined;
  let runnersError: string | undefined;
  let runnerDroppedIterations: number[] | undefined;
  try {
    if (runners > 1 || input.runnerJob) {
      // No metric stream: N writers on one named pipe would interleave (docs/distributed.md).
      const distributed: RunnersOutcome = input.runnerJob
        ? await runJobRunners({
            kubeConfig: input.runnerJob.kubeConfig,
            settings: input.runnerJob.settings,
            runners,
            runDirectory,
            stepName,
            bundlePath: scenarioBundlePath(plan.scenario),
            planPath,
            plannedMs,
            abortSignal: input.abortSignal,
            summaryPath,
          })
        : await runLocalRunners({
            binary: input.engine.path,
            runners,
            args: [scenarioBundlePath(plan.scenario)],
            env: scenarioEnvironment(planPath, input.authorization),
            runDirectory,
            stepName,
            abortSignal: input.abortSignal,
            summaryPath,
          });
      ({ outcome, data: merged, error: runnersError, runnerDroppedIterations } = distributed);
      delete artifacts.engineLog;
      Object.assign(artifacts, distributed.artifacts);
    } else {
      outcome = await runEngine({
        binary: input.engine.path,
        args: ["--summary-json", summaryPath, ...(input.extraEngineArgs ?? []), scenarioBundlePath(plan.scenario)],
        env: scenarioEnvironment(planPath, input.authorization),
        logPath: runDirectory.file(files.engineLog),
        abortSignal: input.abortSignal,
      });
    }
  } finally {
    stopProgress();
  }
  const finishedAt = new Date();

  const base = {
    name: stepName,
    kind: "scenario" as const,
    scenario: plan.scenario,
    profile: plan.profileName,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    plannedDurationMs: plannedMs,
    engineExitCode: outcome.exitCode,
    artifacts,
  };

  if (merged === null || !existsSync(summaryPath)) {
    const error = outcome.aborted
      ? "interrupted before the engine produced a summary"
      : (runnersError ?? `the load engine exited with code ${outcome.exitCode}: ${engineErrorMessage(outcome.log)}`);
    return { ...base, verdict: outcome.aborted ? "aborted" : "error", error, checks: [] };
  }
  const data = merged ?? (JSON.parse(await readFile(summaryPath, "utf8")) as EngineSummaryData);
  const scenarioEntry = findScenario(plan.scenario);
  const endpointNames: readonly string[] = scenarioEntry ? endpointsOfScenario(scenarioEntry, plan.endpoints.map((endpoint) => endpoint.name)) : [];
  const scenarioEndpoints = plan.endpoints.filter((endpoint) => endpointNames.includes(endpoint.name));
  const totals = loadTotals(data);
  const generator = generatorState({
    sizing: sizeVus(plan.profile, scenarioEndpoints),
    vusMax: totals.vusMax,
    droppedIterations: totals.droppedIterations,
    maxDroppedIterations: plan.profile.maxDroppedIterations,
    engineCpuSeconds: outcome.cpuSeconds,
    stepSeconds: base.durationMs / 1000,
    ...(runnerDroppedIterations ? { runnerDroppedIterations } : {}),
  });
  const checks = [...thresholdChecks(data), generatorCheck(generator)];
  const stats = endpointStats(data, scenarioEndpoints);
  const override = outcomeError(outcome);
  return { ...base, verdict: override?.verdict ?? judgeLoadChecks(checks), ...(override ? { error: override.error } : {}), totals, endpoints: stats, generator, checks };
}
