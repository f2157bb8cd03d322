import type { Check, RunSummary } from "../summary-schema.ts";
import type { Comparison, MetricComparison } from "./baseline.ts";
import type { RegressionPolicy } from "../../thresholds/regression-policy.ts";

const metricLabel: Record<MetricComparison["metric"], string> = { p50: "p50", p90: "p90", p95: "p95", p99: "p99", errorRate: "error rate" };

function metricSelector(comparison: MetricComparison): string {
  const k6Metric = comparison.metric === "errorRate" ? "http_req_failed" : "http_req_duration";
  return `${k6Metric}{endpoint:${comparison.endpoint}}`;
}

/**
 * Turns a comparison into checks of kind "regression", per step. A regression fails only when the
 * suite's policy says so; otherwise it passes with a reason that says it regressed. Insufficient
 * history is one "no-data" check per step: reported, never counted as a pass.
 */
export function regressionChecks(comparison: Comparison, policy: RegressionPolicy): Map<string, Check[]> {
  const byStep = new Map<string, Check[]>();
  const add = (step: string, check: Check) => byStep.set(step, [...(byStep.get(step) ?? []), check]);
  if (comparison.status === "insufficient-history") {
    for (const step of new Set(comparison.metrics.map((metric) => metric.step))) {
      add(step, {
        name: "baseline comparison",
        kind: "regression",
        observed: comparison.baseline.runIds.length,
        limit: comparison.baseline.needed,
        unit: "count",
        verdict: "no-data",
        reason: comparison.headline,
      });
    }
    return byStep;
  }
  for (const metric of comparison.metrics) {
    if (metric.status === "no-data") continue;
    const regressed = metric.status === "regression";
    add(metric.step, {
      name: `${metric.endpoint} ${metricLabel[metric.metric]} vs baseline`,
      kind: "regression",
      metric: metricSelector(metric),
      endpoint: metric.endpoint,
      observed: metric.current,
      limit: metric.limit,
      unit: metric.unit,
      verdict: metric.status === "insufficient-history" ? "no-data" : regressed && policy.failGate ? "fail" : "pass",
      reason: regressed && !policy.failGate ? `${metric.reason} (reported only: regression.failGate is false for this suite)` : metric.reason,
    });
  }
  return byStep;
}

/**
 * Adds the regression checks to the run's steps. A failing regression check turns a passing step and
 * run into a failing one (exit code 1); aborted and errored runs keep their verdict.
 */
export function applyComparison(summary: RunSummary, comparison: Comparison, policy: RegressionPolicy): RunSummary {
  const checksByStep = regressionChecks(comparison, policy);
  const steps = summary.steps.map((step) => {
    const added = checksByStep.get(step.name) ?? [];
    if (added.length === 0) return step;
    const failed = added.some((check) => check.verdict === "fail");
    return { ...step, checks: [...step.checks, ...added], verdict: failed && step.verdict === "pass" ? ("fail" as const) : step.verdict };
  });
  const failed = steps.some((step) => step.verdict === "fail");
  const verdict = failed && summary.verdict === "pass" ? "fail" : summary.verdict;
  return { ...summary, steps, verdict, exitCode: verdict !== summary.verdict ? 1 : summary.exitCode };
}
