import { createRunDirectory, type RunDirectory } from "../reports/run-directory.ts";
import type { RunSummary, StepResult, Verdict } from "../reports/summary-schema.ts";
import { finalizeRun, suiteRegressionPolicy, withMetricStream } from "../reports/finalize-run.ts";
import type { BulwarkConfig, EnvironmentConfig } from "../thresholds/schema.ts";
import { startDemoTarget, type RunningDemoTarget } from "./demo-target/launch.ts";
import { noFaults, type DemoFaults } from "./demo-target/faults.ts";
import { bundleScenarios } from "./load/bundle.ts";
import { ensureEngine, type EngineBinary } from "./load/engine-binary.ts";
import { inspectScenario } from "./load/inspect.ts";
import { preflight } from "./load/preflight.ts";
import { runScenarioStep } from "./load/run-step.ts";
import { ExitCode, UsageError } from "./lib/errors.ts";
import { say } from "./lib/output.ts";
import { gitCommit, toolVersion } from "./lib/provenance.ts";
import { buildRunPlan } from "./plan.ts";

export type PlannedStep =
  | { kind: "scenario"; stepName: string; scenario: string; profileName: string }
  | { kind: "drill"; stepName: string; drill: string };

export interface StepsRunRequest {
  kind: "run" | "gate";
  name: string;
  steps: PlannedStep[];
  config: BulwarkConfig;
  environmentName: string;
  targetOverride?: string;
  demoFaults?: DemoFaults;
  /** The environment's name again, for drill steps that destroy something (--confirm-destroy). */
  confirmDestroy?: string;
  reportsRoot?: string;
  /** History folder (or backend URL); default $BULWARK_HISTORY_DIR, then reports/history. */
  historyLocation?: string;
  abortSignal: AbortSignal;
}

export interface StepsRunResult {
  summary: RunSummary;
  runDirectory: RunDirectory;
}

/** Aborted runs exit like a shell does after Ctrl-C; the report still says "aborted". */
export const abortedExitCode = 130;

export function exitCodeFor(verdict: Verdict): number {
  if (verdict === "pass") return ExitCode.pass;
  if (verdict === "fail") return ExitCode.checkFailed;
  if (verdict === "aborted") return abortedExitCode;
  return ExitCode.tooling;
}

export function overallVerdict(steps: readonly StepResult[]): Verdict {
  if (steps.some((step) => step.verdict === "aborted")) return "aborted";
  if (steps.some((step) => step.verdict === "error")) return "error";
  if (steps.some((step) => step.verdict === "fail")) return "fail";
  return steps.length > 0 ? "pass" : "error";
}

function bearerToken(config: BulwarkConfig, environmentName: string): string | undefined {
  const auth = config.environments[environmentName]?.auth;
  if (!auth) return undefined;
  const token = process.env[auth.bearerTokenEnv];
  if (!token) throw new UsageError(`environments.${environmentName}.auth.bearerTokenEnv: environment variable ${auth.bearerTokenEnv} is not set`);
  return token;
}

/** Credentials in a URL would end up in reports: strip them. */
function redactUrl(url: string): string {
  const parsed = new URL(url);
  parsed.username = "";
  parsed.password = "";
  return parsed.toString().replace(/\/$/, "");
}

/** Everything that can be refused up front is refused before anything starts (exit 2). */
async function checkInputs(request: StepsRunRequest, environment: EnvironmentConfig, usesDemo: boolean): Promise<void> {
  if (request.demoFaults && request.demoFaults !== noFaults && !usesDemo) {
    throw new UsageError("--demo-fault: only applies to the embedded demo target (an environment with demo: true and no --target)");
  }
  for (const step of request.steps) {
    if (step.kind === "scenario" && !request.config.profiles[step.profileName]) {
      throw new UsageError(`--profile: unknown profile '${step.profileName}' (known: ${Object.keys(request.config.profiles).join(", ")})`);
    }
  }
  if (request.steps.some((step) => step.kind === "drill")) {
    const { assertDrillMayRun } = await import("../chaos/drills/index.ts");
    for (const step of request.steps) {
      if (step.kind === "drill") assertDrillMayRun({ config: request.config, drill: step.drill, environment: request.environmentName, confirmDestroy: request.confirmDestroy });
    }
  }
  if (!usesDemo && !request.targetOverride && !environment.baseUrl && request.steps.some((step) => step.kind === "scenario")) {
    throw new UsageError(`environments.${request.environmentName}.baseUrl: required for load steps (or pass --target)`);
  }
}

interface LoadTarget {
  engine: EngineBinary;
  baseUrl: string;
  authToken: string | undefined;
  demo: RunningDemoTarget | undefined;
}

/**
 * The engine, the bundles (each inspected by the engine: a broken scenario is exit 2 before anything
 * starts), the demo target when the environment uses it, and a healthy target: or exit 3.
 */
async function prepareLoad(request: StepsRunRequest, environment: EnvironmentConfig, usesDemo: boolean): Promise<LoadTarget> {
  const authToken = bearerToken(request.config, request.environmentName);
  const engine = await ensureEngine(say);
  const scenarioSteps = request.steps.flatMap((step) => (step.kind === "scenario" ? [step] : []));
  await bundleScenarios([...new Set(scenarioSteps.map((step) => step.scenario))]);
  const provisionalUrl = request.targetOverride ?? environment.baseUrl ?? "http://127.0.0.1";
  for (const step of scenarioSteps) {
    await inspectScenario(engine, buildRunPlan({ config: request.config, environmentName: request.environmentName, scenario: step.scenario, profileName: step.profileName, baseUrl: provisionalUrl, runId: "inspect" }));
  }
  const demo = usesDemo ? await startDemoTarget(request.demoFaults ?? noFaults) : undefined;
  if (demo) say(`bulwark: demo target listening on ${demo.baseUrl}`);
  const baseUrl = request.targetOverride ?? demo?.baseUrl ?? environment.baseUrl ?? "";
  try {
    await preflight(baseUrl, environment.healthPath);
  } catch (error) {
    await demo?.stop();
    throw error;
  }
  return { engine, baseUrl, authToken, demo };
}

function failedStep(step: PlannedStep, startedAt: string, error: unknown): StepResult {
  return {
    name: step.stepName,
    kind: step.kind,
    ...(step.kind === "scenario" ? { scenario: step.scenario, profile: step.profileName } : {}),
    startedAt,
    finishedAt: new Date().toISOString(),
    durationMs: Date.now() - Date.parse(startedAt),
    verdict: "error",
    error: error instanceof Error ? error.message : String(error),
    checks: [],
    artifacts: {},
  };
}

async function runOneStep(step: PlannedStep, request: StepsRunRequest, runDirectory: RunDirectory, load: LoadTarget | undefined): Promise<StepResult> {
  if (step.kind === "scenario") {
    if (!load) throw new Error("a load step needs a prepared load target");
    const plan = buildRunPlan({ config: request.config, environmentName: request.environmentName, scenario: step.scenario, profileName: step.profileName, baseUrl: load.baseUrl, runId: runDirectory.runId });
    return withMetricStream(runDirectory, step.stepName, (extraEngineArgs) =>
      runScenarioStep({ engine: load.engine, plan, stepName: step.stepName, runDirectory, abortSignal: request.abortSignal, extraEngineArgs, ...(load.authToken ? { authToken: load.authToken } : {}) }),
    );
  }
  const { startDrill, drillStepResult } = await import("../chaos/drills/index.ts");
  // The drill's evidence folder sits inside the gate's run directory.
  const { evidence, directory } = await startDrill({
    config: request.config,
    drill: step.drill,
    environment: request.environmentName,
    confirmDestroy: request.confirmDestroy,
    log: say,
    signal: request.abortSignal,
    reportsRoot: runDirectory.path,
  });
  const result = drillStepResult(evidence);
  return { ...result, name: step.stepName, artifacts: { ...result.artifacts, evidence: `${directory.runId}/drill.md` } };
}

function describeStep(step: PlannedStep): string {
  return step.kind === "scenario" ? `scenario ${step.scenario}, profile ${step.profileName}` : `restore drill ${step.drill}`;
}

/** Runs the steps one after the other, then writes the run's reports (also when interrupted). */
export async function executeSteps(request: StepsRunRequest): Promise<StepsRunResult> {
  const environment = request.config.environments[request.environmentName];
  if (!environment) throw new UsageError(`--env: unknown environment '${request.environmentName}'`);
  const usesDemo = request.targetOverride === undefined && environment.demo;
  await checkInputs(request, environment, usesDemo);
  const load = request.steps.some((step) => step.kind === "scenario") ? await prepareLoad(request, environment, usesDemo) : undefined;
  try {
    const runDirectory = await createRunDirectory(request.kind, request.name, request.reportsRoot);
    const startedAt = new Date();
    const steps: StepResult[] = [];
    for (const [index, step] of request.steps.entries()) {
      if (request.abortSignal.aborted) break;
      say(`bulwark: step ${index + 1}/${request.steps.length}: ${step.stepName} (${describeStep(step)})`);
      const stepStarted = new Date().toISOString();
      const result = await runOneStep(step, request, runDirectory, load).catch((error: unknown) => failedStep(step, stepStarted, error));
      steps.push(result);
      say(`bulwark: step ${step.stepName}: ${result.verdict}${result.error ? ` (${result.error})` : ""}`);
      if (result.verdict === "error") break;
    }
    const finishedAt = new Date();
    const verdict = request.abortSignal.aborted ? "aborted" : overallVerdict(steps);
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
      target: load ? redactUrl(load.baseUrl) : `environment ${request.environmentName} (no load steps)`,
      tool: { name: "bulwark", version: toolVersion },
      engineVersion: load?.engine.version ?? null,
      verdict,
      exitCode: exitCodeFor(verdict),
      steps,
    };
    const regression = request.kind === "gate" ? suiteRegressionPolicy(request.config.suites[request.name]) : null;
    const written = await finalizeRun(runDirectory, summary, { regression, log: say, ...(request.historyLocation ? { historyLocation: request.historyLocation } : {}) });
    return { summary: written, runDirectory };
  } finally {
    await load?.demo?.stop();
  }
}
