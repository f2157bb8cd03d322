import { existsSync } from "node:fs";
import { basename, dirname } from "node:path";
import type { RunDirectory } from "./run-directory.ts";
import type { RunSummary, StepResult } from "./summary-schema.ts";
import { writeRunReports } from "./write-reports.ts";
import { writeHtmlReport } from "./html/write-html-report.ts";
import { comparisonFileName } from "./run-history/baseline.ts";
import { defaultHistoryLocation, openHistoryStore } from "./run-history/history-store.ts";
import { checkAgainstHistory } from "./run-history/index.ts";
import { regressionPolicySchema, type RegressionPolicy } from "./run-history/regression-policy.ts";
import { createMetricStreamCollector } from "./timeseries/collector.ts";

/** Set to 1 to also export k6's own web dashboard of every step (a self-contained HTML file). */
export const dashboardEnvVar = "BULWARK_K6_DASHBOARD";

export interface MetricStreamOptions {
  /** Export k6's web dashboard to <step>.k6-dashboard.html; default: $BULWARK_K6_DASHBOARD is 1. */
  dashboard?: boolean;
}

/** k6's web-dashboard output: served on a random loopback port while k6 runs, exported at its end. */
function dashboardArgs(runDirectory: RunDirectory, fileName: string): string[] {
  // A short period so that even a smoke run has a snapshot to export.
  return ["--out", `web-dashboard=host=127.0.0.1&port=0&period=2s&export=${runDirectory.file(fileName)}`];
}

/**
 * Runs one k6 step with its metric stream collected: `run` gets the extra `k6 run` arguments, and the
 * step's artifacts name the time series file (and the k6 dashboard export) once k6 is done.
 */
export async function withMetricStream(
  runDirectory: RunDirectory,
  stepName: string,
  run: (k6Args: string[]) => Promise<StepResult>,
  options: MetricStreamOptions = {},
): Promise<StepResult> {
  const collector = await createMetricStreamCollector(runDirectory.path, { step: stepName });
  const dashboard = options.dashboard ?? process.env[dashboardEnvVar] === "1";
  const dashboardFile = `${stepName.replace(/[^A-Za-z0-9._-]/g, "_")}.k6-dashboard.html`;
  let result: StepResult | undefined;
  try {
    result = await run([...collector.k6Args, ...(dashboard ? dashboardArgs(runDirectory, dashboardFile) : [])]);
  } finally {
    // Also when the step threw: finish() releases the pipe so nothing is left waiting.
    const series = await collector.finish().catch(() => null);
    if (result && series && series.time.length > 0) result.artifacts = { ...result.artifacts, timeseries: basename(collector.outputPath) };
    if (result && dashboard && existsSync(runDirectory.file(dashboardFile))) result.artifacts = { ...result.artifacts, k6Dashboard: dashboardFile };
  }
  return result;
}

export interface FinalizeOptions {
  /** The suite's regression settings (config `suites.<name>.regression`); null: no baseline comparison. */
  regression: RegressionPolicy | null;
  /** --history; else $BULWARK_HISTORY_DIR; else history/ beside the run directory. */
  historyLocation?: string;
  log: (line: string) => void;
}

/** A suite's `regression` key, parsed; absent means the defaults (compare, report, do not fail). */
export function suiteRegressionPolicy(suite: unknown): RegressionPolicy {
  const settings = typeof suite === "object" && suite !== null ? (suite as { regression?: unknown }).regression : undefined;
  return regressionPolicySchema.parse(settings ?? {});
}

/**
 * Everything after the steps: compares a gate with its history (regression checks join the summary
 * and may fail it), writes summary.json, junit.xml, summary.md and report.html, then appends the run
 * to the history. Returns the summary as written. A broken report.html or history never changes the
 * verdict: it is said on stderr.
 */
export async function finalizeRun(runDirectory: RunDirectory, summary: RunSummary, options: FinalizeOptions): Promise<RunSummary> {
  const history = openHistoryStore(options.historyLocation ?? defaultHistoryLocation(dirname(runDirectory.path)));
  let final = summary;
  if (options.regression && summary.verdict !== "aborted" && summary.verdict !== "error") {
    try {
      const checked = await checkAgainstHistory(summary, history, options.regression, runDirectory.file(comparisonFileName));
      final = checked.summary;
      options.log(`bulwark: baseline: ${checked.comparison.headline}`);
    } catch (error) {
      options.log(`bulwark: baseline comparison skipped: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  await writeRunReports(runDirectory, final);
  try {
    await writeHtmlReport(runDirectory.path, final);
  } catch (error) {
    options.log(`bulwark: report.html not written: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    await history.append(final);
  } catch (error) {
    options.log(`bulwark: run not added to the history at ${history.location}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return final;
}
