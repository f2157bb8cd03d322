import type { EndpointStats, RunSummary } from "../summary-schema.ts";
import type { ComparedMetric, RegressionPolicy } from "../../thresholds/regression-policy.ts";

/** The comparison of a gate run, next to its summary.json; report.html shows it. */
export const comparisonFileName = "comparison.json";

export type MetricStatus = "regression" | "ok" | "improved" | "insufficient-history" | "no-data";

export interface MetricComparison {
  step: string;
  endpoint: string;
  metric: ComparedMetric;
  unit: "ms" | "ratio";
  current: number | null;
  /** Median of the baseline runs' values. */
  baseline: number | null;
  /** Robust standard deviation of the baseline values (1.4826 x MAD); 0 for a single baseline run. */
  spread: number | null;
  /** Values above this are a regression: baseline plus the largest of the relative, noise and minimum margins. */
  limit: number | null;
  /** (current - baseline) / baseline; null when the baseline is 0 or a value is missing. */
  change: number | null;
  /** How many baseline runs had this metric. */
  samples: number;
  status: MetricStatus;
  reason: string;
}

export interface BaselineDescription {
  /** "history": the median of recent passing runs; "run": one run chosen by the user. */
  source: "history" | "run";
  runIds: string[];
  wanted: number;
  needed: number;
  suite: { kind: string; name: string; environment: string };
  /**
   * Baseline runs recorded under k6 (k6Version, no engineVersion): their percentiles were interpolated
   * between ranks and their verdicts judged on those, not on exact counts. Optional: absent in comparisons
   * written before it existed.
   */
  interpolatedPercentileRuns?: string[];
  /** A chosen baseline run whose verdict was not pass (e.g. invalid: load generator saturated). */
  notPassing?: { runId: string; verdict: string };
}

export interface Comparison {
  runId: string;
  status: "regression" | "ok" | "insufficient-history";
  baseline: BaselineDescription;
  metrics: MetricComparison[];
  /** One sentence for people: what was compared and what came out. */
  headline: string;
}

/** Runs judged with k6's interpolated percentiles: recorded before bulwark had its own engine. */
export const judgedWithInterpolatedPercentiles = (run: Pick<RunSummary, "engineVersion" | "k6Version">): boolean => !run.engineVersion && Boolean(run.k6Version);

/**
 * Passing runs of the same kind, name and environment that started before `current`, newest first. An
 * invalid run (load generator saturated) is not passing: it never becomes part of a baseline.
 */
export function selectBaselineRuns(current: RunSummary, history: readonly RunSummary[], count: number): RunSummary[] {
  return history
    .filter(
      (run) =>
        run.runId !== current.runId &&
        run.verdict === "pass" &&
        run.kind === current.kind &&
        run.name === current.name &&
        run.environment === current.environment &&
        run.startedAt < current.startedAt,
    )
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
    .slice(0, count);
}

/** Compares a run with the median of its last `policy.baselineRuns` passing runs in `history`. */
export function compareWithHistory(current: RunSummary, history: readonly RunSummary[], policy: RegressionPolicy): Comparison {
  const baselineRuns = selectBaselineRuns(current, history, policy.baselineRuns);
  const needed = Math.min(policy.minRuns, policy.baselineRuns);
  return compare(current, baselineRuns, policy, { source: "history", wanted: policy.baselineRuns, needed });
}

/** Compares a run with one chosen run. With a single run there is no spread: the relative limit decides. */
export function compareWithRun(current: RunSummary, baselineRun: RunSummary, policy: RegressionPolicy): Comparison {
  return compare(current, [baselineRun], policy, { source: "run", wanted: 1, needed: 1 });
}

function compare(current: RunSummary, baselineRuns: RunSummary[], policy: RegressionPolicy, shape: { source: BaselineDescription["source"]; wanted: number; needed: number }): Comparison {
  const baseline: BaselineDescription = {
    ...shape,
    runIds: baselineRuns.map((run) => run.runId),
    suite: { kind: current.kind, name: current.name, environment: current.environment },
    interpolatedPercentileRuns: baselineRuns.filter(judgedWithInterpolatedPercentiles).map((run) => run.runId),
    ...(shape.source === "run" && baselineRuns[0] && baselineRuns[0].verdict !== "pass" ? { notPassing: { runId: baselineRuns[0].runId, verdict: baselineRuns[0].verdict } } : {}),
  };
  const metrics: MetricComparison[] = [];
  for (const step of current.steps) {
    for (const endpoint of step.endpoints ?? []) {
      for (const metric of policy.metrics) {
        const history = baselineRuns
          .map((run) => metricValue(run.steps.find((candidate) => candidate.name === step.name)?.endpoints?.find((candidate) => candidate.name === endpoint.name), metric))
          .filter((value): value is number => value !== null);
        metrics.push(compareMetric(step.name, endpoint.name, metric, metricValue(endpoint, metric), history, shape.needed, policy));
      }
    }
  }
  const regressions = metrics.filter((metric) => metric.status === "regression");
  const insufficient = baselineRuns.length < shape.needed;
  const status: Comparison["status"] = regressions.length > 0 ? "regression" : insufficient ? "insufficient-history" : "ok";
  return { runId: current.runId, status, baseline, metrics, headline: headline(status, baseline, regressions, metrics.length) };
}

export function metricValue(endpoint: EndpointStats | undefined, metric: ComparedMetric): number | null {
  if (!endpoint) return null;
  if (metric === "errorRate") return endpoint.errorRate;
  return endpoint.latencyMs?.[metric] ?? null;
}

function compareMetric(step: string, endpoint: string, metric: ComparedMetric, current: number | null, history: number[], needed: number, policy: RegressionPolicy): MetricComparison {
  const unit = metric === "errorRate" ? "ratio" : "ms";
  const base = { step, endpoint, metric, unit, current, samples: history.length } as const;
  if (history.length < needed) {
    return { ...base, baseline: null, spread: null, limit: null, change: null, status: "insufficient-history", reason: `insufficient history: ${history.length} of ${needed} baseline runs needed have this metric` };
  }
  const baseline = median(history);
  const spread = robustSpread(history, baseline);
  const margin = Math.max(baseline * policy.relativeLimit, policy.noiseFactor * spread, unit === "ms" ? policy.minDeltaMs : policy.minDeltaErrorRate);
  const limit = baseline + margin;
  if (current === null) {
    return { ...base, baseline, spread, limit, change: null, status: "no-data", reason: "no samples in this run" };
  }
  const change = baseline === 0 ? null : (current - baseline) / baseline;
  const described = `${format(current, unit)} against a baseline of ${format(baseline, unit)} (${changeText(change)}; run-to-run spread ±${format(spread, unit)})`;
  if (current > limit) {
    const why = margin === baseline * policy.relativeLimit ? `the ${Math.round(policy.relativeLimit * 100)} % limit` : margin === policy.noiseFactor * spread ? `${policy.noiseFactor}x the spread` : "the minimum change";
    return { ...base, baseline, spread, limit, change, status: "regression", reason: `regression: ${described}, beyond ${why} (limit ${format(limit, unit)})` };
  }
  if (current < baseline - margin) return { ...base, baseline, spread, limit, change, status: "improved", reason: `improved: ${described}` };
  return { ...base, baseline, spread, limit, change, status: "ok", reason: `within the baseline: ${described}, limit ${format(limit, unit)}` };
}

/** What a reader must know about the baseline itself before trusting the comparison. */
function baselineNotes(baseline: BaselineDescription): string {
  const notes: string[] = [];
  const interpolated = baseline.interpolatedPercentileRuns?.length ?? 0;
  if (interpolated > 0) {
    notes.push(`baseline includes ${interpolated === baseline.runIds.length && interpolated === 1 ? "a run" : `${interpolated} of ${baseline.runIds.length} runs`} judged with interpolated percentiles (k6), not exact counts`);
  }
  if (baseline.notPassing) notes.push(`baseline run ${baseline.notPassing.runId} is ${baseline.notPassing.verdict}, not a passing run`);
  return notes.length > 0 ? ` (${notes.join("; ")})` : "";
}

function headline(status: Comparison["status"], baseline: BaselineDescription, regressions: MetricComparison[], compared: number): string {
  return headlineWithoutNotes(status, baseline, regressions, compared) + baselineNotes(baseline);
}

function headlineWithoutNotes(status: Comparison["status"], baseline: BaselineDescription, regressions: MetricComparison[], compared: number): string {
  const suite = `${baseline.suite.kind} ${baseline.suite.name} on ${baseline.suite.environment}`;
  const against = baseline.source === "run" ? `run ${baseline.runIds[0]}` : `the median of the last ${baseline.runIds.length} passing runs of ${suite}`;
  if (status === "insufficient-history") {
    return `insufficient history: ${baseline.runIds.length} passing run(s) of ${suite} found, ${baseline.needed} needed for a baseline; nothing was compared, this is not a pass`;
  }
  if (status === "regression") return `${regressions.length} of ${compared} metrics regressed against ${against}`;
  return `no regression in ${compared} metrics against ${against}`;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** 1.4826 x the median absolute deviation: the standard deviation of normal noise, unmoved by one outlier. */
export function robustSpread(values: readonly number[], center: number = median(values)): number {
  if (values.length < 2) return 0;
  return 1.4826 * median(values.map((value) => Math.abs(value - center)));
}

export function format(value: number | null, unit: "ms" | "ratio"): string {
  if (value === null) return "–";
  if (unit === "ratio") return `${(value * 100).toFixed(value < 0.01 ? 2 : 1)} %`;
  return value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`;
}

function changeText(change: number | null): string {
  if (change === null) return "baseline 0";
  const percent = change * 100;
  return `${percent >= 0 ? "+" : ""}${percent.toFixed(1)} %`;
}
