import { spawn } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import type { StepResult, Verdict } from "../../reports/summary-schema.ts";
import type { RunDirectory } from "../../reports/run-directory.ts";
import { plannedDurationMs } from "../../thresholds/compile-options.ts";
import { planEnvVar, summaryEnvVar, tokenEnvVar, type RunPlan } from "../../thresholds/run-plan.ts";
import { findScenario } from "../../scenarios/catalog.ts";
import { tail } from "../lib/exec.ts";
import { offlineK6Env, type K6Binary } from "./ensure-k6.ts";
import { scenarioBundlePath } from "./bundle.ts";
import { endpointStats, loadTotals, thresholdChecks, type K6SummaryData } from "./k6-summary.ts";
import { startProgress } from "./progress.ts";

/** k6's documented exit codes that bulwark tells apart. */
const k6Exit = { thresholdsFailed: 99, externalAbort: 105, scriptException: 107 } as const;
/** How long k6 gets to stop gracefully (and write its summary) after SIGINT before it is killed. */
const stopGraceMs = 20_000;

export interface ScenarioStepInput {
  k6: K6Binary;
  plan: RunPlan;
  stepName: string;
  runDirectory: RunDirectory;
  abortSignal: AbortSignal;
  /** Bearer token for the target, passed to k6 through its environment only. */
  authToken?: string;
  /** Extra `k6 run` arguments, e.g. outputs for the metric stream. */
  extraK6Args?: string[];
}

interface K6Outcome {
  exitCode: number | null;
  aborted: boolean;
  log: string;
}

function runK6(input: ScenarioStepInput, planPath: string, summaryPath: string, logPath: string): Promise<K6Outcome> {
  const args = ["run", "--quiet", "--no-color", "--address", "", ...(input.extraK6Args ?? []), scenarioBundlePath(input.plan.scenario)];
  const env = offlineK6Env({
    ...process.env,
    [planEnvVar]: planPath,
    [summaryEnvVar]: summaryPath,
    ...(input.authToken ? { [tokenEnvVar]: input.authToken } : {}),
  });
  return new Promise((resolve, reject) => {
    // detached: a Ctrl-C in the terminal reaches bulwark only; bulwark decides how k6 stops.
    const child = spawn(input.k6.path, args, { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const logFile = createWriteStream(logPath);
    let recentLog = "";
    const keep = (chunk: Buffer) => {
      logFile.write(chunk);
      recentLog = (recentLog + chunk.toString()).slice(-20_000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      aborted = true;
      child.kill("SIGINT");
      killTimer = setTimeout(() => child.kill("SIGKILL"), stopGraceMs);
    };
    if (input.abortSignal.aborted) onAbort();
    else input.abortSignal.addEventListener("abort", onAbort, { once: true });
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(killTimer);
      input.abortSignal.removeEventListener("abort", onAbort);
      logFile.end(() => resolve({ exitCode: code, aborted: aborted || code === k6Exit.externalAbort, log: recentLog }));
    });
  });
}

/** k6 reports an exception in setup() as an error line; pull out the message a person needs. */
function setupFailureMessage(log: string): string {
  const unhealthy = /bulwark: target unhealthy[^"\n]*/.exec(log)?.[0];
  if (unhealthy) return unhealthy.replace(/\\"/g, '"').replace(/^bulwark: /, "");
  const errorLine = log.split("\n").reverse().find((line) => line.includes("level=error"));
  return errorLine ? (/msg="([^"]*)"/.exec(errorLine)?.[1] ?? errorLine) : tail(log, 3);
}

/** Runs one scenario under k6 and turns k6's end-of-test data into a step result with its checks. */
export async function runScenarioStep(input: ScenarioStepInput): Promise<StepResult> {
  const { plan, runDirectory, stepName } = input;
  const planPath = runDirectory.file(`${stepName}.plan.json`);
  const summaryPath = runDirectory.file(`${stepName}.k6-summary.json`);
  const logPath = runDirectory.file(`${stepName}.k6.log`);
  await writeFile(planPath, JSON.stringify(plan, null, 2));

  const plannedMs = plannedDurationMs(plan.profile);
  const startedAt = new Date();
  const stopProgress = startProgress(`${stepName} (${plan.scenario}, ${plan.profileName})`, plannedMs);
  let outcome: K6Outcome;
  try {
    outcome = await runK6(input, planPath, summaryPath, logPath);
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
    k6ExitCode: outcome.exitCode,
    artifacts: { plan: `${stepName}.plan.json`, k6Log: `${stepName}.k6.log`, k6Summary: `${stepName}.k6-summary.json` },
  };

  if (!existsSync(summaryPath)) {
    const error = outcome.aborted ? "interrupted before k6 produced a summary" : `k6 exited with code ${outcome.exitCode}: ${setupFailureMessage(outcome.log)}`;
    return { ...base, verdict: outcome.aborted ? "aborted" : "error", error, checks: [] };
  }
  const data = JSON.parse(await readFile(summaryPath, "utf8")) as K6SummaryData;
  const checks = thresholdChecks(data);
  const endpoints = findScenario(plan.scenario)?.endpoints ?? [];
  const stats = endpointStats(data, plan.endpoints.filter((endpoint) => endpoints.includes(endpoint.name)));

  let verdict: Verdict = checks.every((check) => check.verdict === "pass") ? "pass" : "fail";
  let error: string | undefined;
  if (outcome.aborted) {
    verdict = "aborted";
    error = "interrupted: results cover the load sent until then";
  } else if (outcome.exitCode === k6Exit.scriptException) {
    verdict = "error";
    error = setupFailureMessage(outcome.log);
  } else if (outcome.exitCode !== 0 && outcome.exitCode !== k6Exit.thresholdsFailed && verdict === "pass") {
    verdict = "error";
    error = `k6 exited with code ${outcome.exitCode}: ${setupFailureMessage(outcome.log)}`;
  }
  return { ...base, verdict, ...(error ? { error } : {}), totals: loadTotals(data), endpoints: stats, checks };
}
