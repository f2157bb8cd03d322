import { writeFileAtomic } from "../../scripts/core/write-atomic.ts";
import type { RunSummary } from "../summary-schema.ts";
import { compareWithHistory, type Comparison } from "./baseline.ts";
import type { HistoryStore } from "./history-store.ts";
import { applyComparison } from "./regression-checks.ts";
import type { RegressionPolicy } from "../../thresholds/regression-policy.ts";

export { comparisonFileName, compareWithHistory, compareWithRun, selectBaselineRuns, median, robustSpread, type Comparison, type MetricComparison } from "./baseline.ts";
export { openHistoryStore, defaultHistoryLocation, historyEnvVar, type HistoryStore, type HistoryListing } from "./history-store.ts";
export { FolderHistoryStore } from "./folder-store.ts";
export { regressionChecks, applyComparison } from "./regression-checks.ts";
export { regressionPolicySchema, defaultRegressionPolicy, type RegressionPolicy, type ComparedMetric } from "../../thresholds/regression-policy.ts";

/**
 * What the gate calls once its steps are done and before it writes its reports: compares the run
 * with its history, adds the regression checks (which fail the run only if the policy says so) and
 * writes comparison.json into the run directory for report.html.
 */
export async function checkAgainstHistory(
  summary: RunSummary,
  store: HistoryStore,
  policy: RegressionPolicy,
  comparisonPath?: string,
): Promise<{ summary: RunSummary; comparison: Comparison }> {
  const { runs } = await store.list();
  const comparison = compareWithHistory(summary, runs, policy);
  if (comparisonPath) await writeFileAtomic(comparisonPath, JSON.stringify(comparison, null, 2) + "\n");
  return { summary: applyComparison(summary, comparison, policy), comparison };
}
