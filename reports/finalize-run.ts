import { basename, dirname } from "node:path";
import type { RunDirectory } from "../scripts/core/run-directory.ts";
import type { RequestSamples } from "../scripts/core/request-samples.ts";
import type { RunSummary, StepResult } from "./summary-schema.ts";
import { writeRunReports } from "./write-reports.ts";
import { writeHtmlReport } from "./html/write-html-report.ts";
import { comparisonFileName } from "./run-history/baseline.ts";
import { defaultHistoryLocation, openHistoryStore } from "./run-history/history-store.ts";
import { checkAgainstHistory } from "./run-history/index.ts";
import { regressionPolicySchema, type RegressionPolicy } from "../thresholds/regression-policy.ts";
import { createMetricStreamCollector } from "./timeseries/collector.ts";

/**
 * Runs one load step with its metric stream collected: `run` gets the extra engine arguments, and the
 * step's artifacts name the time series file once the engine is done.
 */
export async function withMetricStream(runDirectory: RunDirectory, stepName: string, run: (engineArgs: string[]) => Promise<StepResult>): Promise<StepResult> {
  const collector = await createMetricStreamCollector(runDirectory.path, { step: stepName });
  let result: StepResult | undefined;
  try {
    result = await run(collector.engineArgs);
  } finally {
    // Also when the step threw: finish() releases the pipe so nothing is left waiting.
    const series = await collector.finish().catch(() => null);
    if (result && series && series.time.length > 0) result.artifacts = { ...result.artifacts, timeseries: basename(collector.outputPath) };
  }
  return result;
}

/**
 * Runs a load with its metric stream collected and every request kept, for kinds that judge phases of
 * the load (chaos, alert and rollout steps). The time series is written as for any load step.
 */
export async function withRequestRecording<T>(
  runDirectory: RunDirectory,
  stepName: string,
  run: (engineArgs: string[], live: () => RequestSamples) => Promise<T>,
): Promise<{ value: T; requests: RequestSamples; timeseriesFile: string | null }> {
  const collector = await createMetricStreamCollector(runDirectory.path, { step: stepName, recordRequests: true });
  let value: T;
  try {
    value = await run(collector.engineArgs, () => collector.requests());
  } catch (error) {
    await collector.finish().catch(() => null);
    throw error;
  }
  const series = await collector.finish().catch(() => null);
  return { value, requests: collector.requests(), timeseriesFile: series && series.time.length > 0 ? basename(collector.outputPath) : null };
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
  if (options.regression && summary.verdict === "invalid") {
    options.log("bulwark: baseline comparison skipped: the load generator did not send the planned load (invalid run); this run will not join a baseline either");
  } else if (options.regression && summary.verdict !== "aborted" && summary.verdict !== "error") {
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
