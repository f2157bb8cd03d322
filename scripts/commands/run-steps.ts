import { createRunDirectory, type RunDirectory } from "../core/run-directory.ts";
import type { StepResult, Verdict } from "../core/step-result.ts";
import type { RequestSamples } from "../core/request-samples.ts";
import type { RunSummary } from "../../reports/summary-schema.ts";
import { finalizeRun, suiteRegressionPolicy, withMetricStream, withRequestRecording } from "../../reports/finalize-run.ts";
import type { Estate, PlannedStep, PreparedKind, RunContext, StepKind } from "../kinds/step-kind.ts";
import { defaultRegistry, type BulwarkConfig, type Registry } from "../registry/registry.ts";
import { ExitCode, UsageError } from "../core/errors.ts";
import { say } from "../core/output.ts";
import { gitCommit, toolVersion } from "../core/provenance.ts";
import { checkOutputLocations } from "./output-locations.ts";

export type { PlannedStep };

export interface StepsRunRequest {
  kind: "run" | "gate" | "drill" | "chaos" | "alert" | "rollout" | "scale";
  name: string;
  steps: PlannedStep[];
  config: BulwarkConfig;
  environmentName: string;
  targetOverride?: string;
  /** The environment's name again, for steps that destroy something (--confirm-destroy). */
  confirmDestroy?: string;
  /** The environment's name again, for chaos steps in a production environment (--confirm-production). */
  confirmProduction?: string;
  estate: Estate;
  reportsRoot?: string;
  /** How messages name the reports root: `--out` (default) or `BULWARK_REPORTS_DIR=<dir>`. */
  reportsRootLabel?: string;
  /** History folder (or backend URL); default $BULWARK_HISTORY_DIR, then reports/history. */
  historyLocation?: string;
  abortSignal: AbortSignal;
  /** The step kinds; the built-in ones unless a test brings its own. */
  registry?: Registry;
}

export interface StepsRunResult {
  summary: RunSummary;
  runDirectory: RunDirectory;
}

export function exitCodeFor(verdict: Verdict): number {
  if (verdict === "pass") return ExitCode.pass;
  if (verdict === "fail") return ExitCode.checkFailed;
  if (verdict === "aborted") return ExitCode.aborted;
  // error and invalid (the load generator could not send the planned load): the instrument, not the service.
  return ExitCode.tooling;
}

export function overallVerdict(steps: readonly StepResult[]): Verdict {
  if (steps.some((step) => step.verdict === "aborted")) return "aborted";
  if (steps.some((step) => step.verdict === "error")) return "error";
  if (steps.some((step) => step.verdict === "fail")) return "fail";
  if (steps.some((step) => step.verdict === "invalid")) return "invalid";
  return steps.length > 0 ? "pass" : "error";
}

function failedStep(step: PlannedStep, startedAt: string, error: unknown): StepResult {
  return {
    name: step.stepName,
    kind: step.kind,
    startedAt,
    finishedAt: new Date().toISOString(),
    durationMs: Date.now() - Date.parse(startedAt),
    verdict: "error",
    error: error instanceof Error ? error.message : String(error),
    checks: [],
    artifacts: {},
  };
}

/** The run's steps grouped by kind, in the order the kinds first appear. */
function stepsByKind(registry: Registry, steps: readonly PlannedStep[]): Map<StepKind, PlannedStep[]> {
  const groups = new Map<StepKind, PlannedStep[]>();
  for (const step of steps) {
    const kind = registry.kind(step.kind);
    groups.set(kind, [...(groups.get(kind) ?? []), step]);
  }
  return groups;
}

async function releaseAll(prepared: Iterable<PreparedKind>): Promise<void> {
  for (const kind of prepared) await kind.release().catch((error: unknown) => say(`bulwark: cleanup failed: ${error instanceof Error ? error.message : String(error)}`));
}

/**
 * Every kind checks its steps (exit 2 before anything starts) and prepares them (exit 3 naming the
 * fix); then the steps run one after the other and the run's reports are written (also when
 * interrupted). Nothing here knows what a kind does.
 */
export async function executeSteps(request: StepsRunRequest): Promise<StepsRunResult> {
  const registry = request.registry ?? defaultRegistry;
  checkOutputLocations(request);
  const environment = Object.hasOwn(request.config.environments, request.environmentName) ? request.config.environments[request.environmentName] : undefined;
  if (!environment) throw new UsageError(`--env: unknown environment '${request.environmentName}'`);
  const context: RunContext = {
    config: request.config,
    environmentName: request.environmentName,
    environment,
    estate: request.estate,
    abortSignal: request.abortSignal,
    log: say,
    ...(request.targetOverride ? { targetOverride: request.targetOverride } : {}),
    ...(request.confirmDestroy ? { confirmDestroy: request.confirmDestroy } : {}),
    ...(request.confirmProduction !== undefined ? { confirmProduction: request.confirmProduction } : {}),
  };
  const groups = stepsByKind(registry, request.steps);
  for (const [kind, steps] of groups) await kind.check(steps, context);

  const prepared = new Map<StepKind, PreparedKind>();
  try {
    for (const [kind, steps] of groups) prepared.set(kind, await kind.prepare(steps, context));
    const runDirectory = await createRunDirectory(request.kind, request.name, request.reportsRoot);
    const stepContext = {
      ...context,
      runDirectory,
      collectSamples: (stepName: string, run: (engineArgs: string[]) => Promise<StepResult>) => withMetricStream(runDirectory, stepName, run),
      recordRequests: <T>(stepName: string, run: (engineArgs: string[], live: () => RequestSamples) => Promise<T>) => withRequestRecording(runDirectory, stepName, run),
    };
    const startedAt = new Date();
    const results: StepResult[] = [];
    for (const [index, step] of request.steps.entries()) {
      if (request.abortSignal.aborted) break;
      const kind = registry.kind(step.kind);
      say(`bulwark: step ${index + 1}/${request.steps.length}: ${step.stepName} (${kind.describe(step)})`);
      const stepStarted = new Date().toISOString();
      const result = await kind.run(step, prepared.get(kind)!, stepContext).catch((error: unknown) => failedStep(step, stepStarted, error));
      results.push(result);
      say(`bulwark: step ${step.stepName}: ${result.verdict}${result.error ? ` (${result.error})` : ""}`);
      if (result.verdict === "error") break;
    }
    const finishedAt = new Date();
    const verdict = request.abortSignal.aborted ? "aborted" : overallVerdict(results);
    const preparedKinds = [...prepared.values()];
    const summary: RunSummary = {
      schemaVersion: 1,
      runId: runDirectory.runId,
      kind: request.kind,
      name: request.name,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      gitCommit: await gitCommit(),
      environment: request.environmentName,
      target: preparedKinds.find((kind) => kind.target)?.target ?? `environment ${request.environmentName} (no load steps)`,
      tool: { name: "bulwark", version: toolVersion },
      engineVersion: preparedKinds.find((kind) => kind.engineVersion)?.engineVersion ?? null,
      verdict,
      exitCode: exitCodeFor(verdict),
      steps: results,
    };
    const regression = request.kind === "gate" ? suiteRegressionPolicy(request.config.suites[request.name]) : null;
    const written = await finalizeRun(runDirectory, summary, { regression, log: say, ...(request.historyLocation ? { historyLocation: request.historyLocation } : {}) });
    return { summary: written, runDirectory };
  } finally {
    await releaseAll(prepared.values());
  }
}
