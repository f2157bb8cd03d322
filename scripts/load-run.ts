import { createRunDirectory, type RunDirectory } from "../reports/run-directory.ts";
import type { RunSummary, StepResult, Verdict } from "../reports/summary-schema.ts";
import { finalizeRun, suiteRegressionPolicy, withMetricStream } from "../reports/finalize-run.ts";
import type { BulwarkConfig } from "../thresholds/schema.ts";
import { startDemoTarget, type RunningDemoTarget } from "./demo-target/launch.ts";
import { noFaults, type DemoFaults } from "./demo-target/faults.ts";
import { bundleScenarios } from "./k6/bundle.ts";
import { ensureK6 } from "./k6/ensure-k6.ts";
import { preflight } from "./k6/preflight.ts";
import { runScenarioStep } from "./k6/run-step.ts";
import { ExitCode, UsageError } from "./lib/errors.ts";
import { say } from "./lib/output.ts";
import { gitCommit, toolVersion } from "./lib/provenance.ts";
import { buildRunPlan } from "./plan.ts";

export interface PlannedStep {
  stepName: string;
  scenario: string;
  profileName: string;
}

export interface LoadRunRequest {
  kind: "run" | "gate";
  name: string;
  steps: PlannedStep[];
  config: BulwarkConfig;
  environmentName: string;
  targetOverride?: string;
  demoFaults?: DemoFaults;
  reportsRoot?: string;
  /** History folder (or backend URL); default $BULWARK_HISTORY_DIR, then reports/history. */
  historyLocation?: string;
  abortSignal: AbortSignal;
}

export interface LoadRunResult {
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

function bearerToken(request: LoadRunRequest): string | undefined {
  const auth = request.config.environments[request.environmentName]?.auth;
  if (!auth) return undefined;
  const token = process.env[auth.bearerTokenEnv];
  if (!token) throw new UsageError(`environments.${request.environmentName}.auth.bearerTokenEnv: environment variable ${auth.bearerTokenEnv} is not set`);
  return token;
}

/** Credentials in a URL would end up in reports: strip them. */
function redactUrl(url: string): string {
  const parsed = new URL(url);
  parsed.username = "";
  parsed.password = "";
  return parsed.toString().replace(/\/$/, "");
}

/** Runs scenario steps one after the other against one target and writes the run's reports. */
export async function executeLoadRun(request: LoadRunRequest): Promise<LoadRunResult> {
  const environment = request.config.environments[request.environmentName];
  if (!environment) throw new UsageError(`--env: unknown environment '${request.environmentName}'`);
  const usesDemo = request.targetOverride === undefined && environment.demo;
  if (request.demoFaults && request.demoFaults !== noFaults && !usesDemo) {
    throw new UsageError("--demo-fault: only applies to the embedded demo target (an environment with demo: true and no --target)");
  }
  for (const step of request.steps) {
    if (!request.config.profiles[step.profileName]) {
      throw new UsageError(`--profile: unknown profile '${step.profileName}' (known: ${Object.keys(request.config.profiles).join(", ")})`);
    }
  }
  const authToken = bearerToken(request);
  const k6 = await ensureK6(say);
  await bundleScenarios([...new Set(request.steps.map((step) => step.scenario))]);

  let demo: RunningDemoTarget | undefined;
  if (usesDemo) {
    demo = await startDemoTarget(request.demoFaults ?? noFaults);
    say(`bulwark: demo target listening on ${demo.baseUrl}`);
  }
  try {
    const baseUrl = request.targetOverride ?? demo?.baseUrl ?? environment.baseUrl ?? "";
    await preflight(baseUrl, environment.healthPath);
    const runDirectory = await createRunDirectory(request.kind, request.name, request.reportsRoot);
    const startedAt = new Date();
    const steps: StepResult[] = [];
    for (const [index, step] of request.steps.entries()) {
      if (request.abortSignal.aborted) break;
      say(`bulwark: step ${index + 1}/${request.steps.length}: ${step.stepName} (scenario ${step.scenario}, profile ${step.profileName})`);
      const plan = buildRunPlan({ config: request.config, environmentName: request.environmentName, scenario: step.scenario, profileName: step.profileName, baseUrl, runId: runDirectory.runId });
      const stepStarted = new Date().toISOString();
      const result = await withMetricStream(runDirectory, step.stepName, (extraK6Args) =>
        runScenarioStep({ k6, plan, stepName: step.stepName, runDirectory, abortSignal: request.abortSignal, extraK6Args, ...(authToken ? { authToken } : {}) }),
      ).catch(
        (error: unknown): StepResult => ({
          name: step.stepName,
          kind: "scenario",
          scenario: step.scenario,
          profile: step.profileName,
          startedAt: stepStarted,
          finishedAt: new Date().toISOString(),
          durationMs: Date.now() - Date.parse(stepStarted),
          verdict: "error",
          error: error instanceof Error ? error.message : String(error),
          checks: [],
          artifacts: {},
        }),
      );
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
      target: redactUrl(baseUrl),
      tool: { name: "bulwark", version: toolVersion },
      k6Version: k6.version,
      verdict,
      exitCode: exitCodeFor(verdict),
      steps,
    };
    const regression = request.kind === "gate" ? suiteRegressionPolicy(request.config.suites[request.name]) : null;
    const written = await finalizeRun(runDirectory, summary, { regression, log: say, ...(request.historyLocation ? { historyLocation: request.historyLocation } : {}) });
    return { summary: written, runDirectory };
  } finally {
    await demo?.stop();
  }
}
