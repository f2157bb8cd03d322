import { formatLimit, formatObserved } from "../../core/format.ts";
import type { Check, EndpointStats } from "../../core/step-result.ts";
import type { PlannedEndpoint } from "../../../thresholds/run-plan.ts";
import { parseMetricSelector, parseThresholdExpression, type ThresholdExpressionParts } from "./threshold-expression.ts";

/** The parts of the engine's end-of-test data (k6's handleSummary() shape) that bulwark reads. */
export interface EngineSummaryData {
  state?: { testRunDurationMs?: number };
  metrics: Record<string, EngineMetric>;
}

/** Exact counts the engine keeps for every selector with thresholds (docs/engine.md). */
export interface ExactCounts {
  samples: number;
  nonZero?: number;
  limits?: Record<string, { below: number; atOrBelow: number }>;
}

export interface EngineMetric {
  type: "trend" | "rate" | "counter" | "gauge";
  contains?: string;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
  exact?: ExactCounts;
  /** Trends, with `--summary-histograms`: the histogram's non-empty buckets as [upper edge µs, count], ascending. */
  histogram?: [number, number][];
}

/** Metrics whose absence of samples is itself a failure (a latency SLO with no requests proves nothing). */
const metricsThatNeedSamples = new Set(["http_req_duration", "http_req_failed", "checks", "http_reqs"]);

function sampleCount(metric: EngineMetric): number {
  if (metric.exact) return metric.exact.samples;
  if (metric.type === "rate") return (metric.values.passes ?? 0) + (metric.values.fails ?? 0);
  return metric.values.count ?? 0;
}

function unitOf(metricName: string, statistic: string): Check["unit"] {
  if (statistic === "rate") return "ratio";
  if (statistic === "count") return "count";
  return metricName.endsWith("_duration") ? "ms" : "count";
}

function describe(metricName: string, endpoint: string | null, statistic: string, operator: string, limit: number, unit: Check["unit"]): string {
  const subject = endpoint ? `${endpoint} ` : "";
  if (metricName === "http_req_failed") return `${subject}error rate ${operator} ${formatLimit(limit, unit)}`;
  if (metricName === "checks") return `checks pass rate ${operator} ${formatLimit(limit, unit)}`;
  if (metricName === "dropped_iterations") return `dropped iterations ${operator} ${limit}`;
  if (metricName === "http_reqs") return `${subject}requests ${operator} ${limit}`;
  return `${subject}${statistic} ${operator} ${formatLimit(limit, unit)}`;
}

/** `p(95)` -> "95", or null for any other statistic. */
const percentileOf = (statistic: string): string | null => /^p\((\d+(?:\.\d+)?)\)$/.exec(statistic)?.[1] ?? null;

/**
 * r = ⌈N·n/100⌉, the nearest rank of p(N) among n samples, in integer arithmetic on N's decimal digits
 * (as the engine computes it, docs/engine.md).
 */
export function nearestRank(percentile: string, samples: number): number {
  const [whole, fraction = ""] = percentile.split(".");
  const scaled = Number(`${whole}${fraction}`);
  const denominator = 100 * 10 ** fraction.length;
  return Math.floor((scaled * samples + denominator - 1) / denominator);
}

/** Below this many samples p(N) is the maximum: ⌈100/(100 − N)⌉ (20 for p95, 100 for p99). */
export function samplesToTellFromMaximum(percentile: string): number {
  return Math.ceil(100 / (100 - Number(percentile)) - 1e-9);
}

function limitCounts(exact: ExactCounts | undefined, limit: number): { below: number; atOrBelow: number } | undefined {
  if (!exact?.limits) return undefined;
  return exact.limits[String(limit)] ?? Object.entries(exact.limits).find(([key]) => Number(key) === limit)?.[1];
}

interface ExactJudgement {
  samples: number;
  beyondLimit: number;
  reason: string;
}

/**
 * A percentile threshold told as what decided it: how many samples were on the wrong side of the limit,
 * against how many p(N) allows. "5.1 % (51) of 1000 requests at or over 200 ms; allowed 5 % (at most 50)".
 */
function percentileJudgement(metricName: string, metric: EngineMetric, statistic: string, parts: ThresholdExpressionParts, unit: Check["unit"]): ExactJudgement | null {
  const percentile = percentileOf(statistic);
  const counts = limitCounts(metric.exact, parts.limit);
  if (percentile === null || !counts || !metric.exact || metric.exact.samples === 0) return null;
  const samples = metric.exact.samples;
  const rank = nearestRank(percentile, samples);
  const sides: Partial<Record<ThresholdExpressionParts["operator"], { beyond: number; allowed: number; allowedShare: number; words: string }>> = {
    "<": { beyond: samples - counts.below, allowed: samples - rank, allowedShare: (100 - Number(percentile)) / 100, words: "at or over" },
    "<=": { beyond: samples - counts.atOrBelow, allowed: samples - rank, allowedShare: (100 - Number(percentile)) / 100, words: "over" },
    ">": { beyond: counts.atOrBelow, allowed: rank - 1, allowedShare: Number(percentile) / 100, words: "at or under" },
    ">=": { beyond: counts.below, allowed: rank - 1, allowedShare: Number(percentile) / 100, words: "under" },
  };
  const side = sides[parts.operator];
  if (!side) return null;
  const noun = metricName.startsWith("http_req") ? "requests" : "samples";
  const value = metric.values[statistic];
  const valueText = value === undefined ? "" : `; ${statistic} ${formatObserved(value, parts.limit, unit)}`;
  const needed = samplesToTellFromMaximum(percentile);
  const tooFew = samples < needed ? `; ${samples} ${noun}: too few for ${statistic} to differ from the maximum (${needed} needed)` : "";
  return {
    samples,
    beyondLimit: side.beyond,
    reason: `${formatObserved(side.beyond / samples, side.allowedShare, "ratio")} (${side.beyond}) of ${samples} ${noun} ${side.words} ${formatLimit(parts.limit, unit)}; allowed ${formatLimit(side.allowedShare, "ratio")} (at most ${side.allowed})${valueText}${tooFew}`,
  };
}

/** A rate threshold with its exact count: "0.0999 % (1 of 1001 requests) failed; required < 0.1 %". */
function rateReason(metricName: string, metric: EngineMetric, parts: ThresholdExpressionParts, limitText: string): string | null {
  const exact = metric.exact;
  if (!exact || exact.nonZero === undefined || exact.samples === 0) return null;
  const rate = exact.nonZero / exact.samples;
  const counted = metricName === "checks" ? `(${exact.nonZero} of ${exact.samples} checks) passed` : metricName === "http_req_failed" ? `(${exact.nonZero} of ${exact.samples} requests) failed` : `(${exact.nonZero} of ${exact.samples} samples)`;
  return `${formatObserved(rate, parts.limit, "ratio")} ${counted}; required ${limitText}`;
}


/**
 * Every threshold the engine evaluated, as checks with observed value, limit and verdict. The verdict is
 * the engine's, which judges percentiles exactly on counts; the reason tells those counts.
 */
export function thresholdChecks(data: EngineSummaryData): Check[] {
  const checks: Check[] = [];
  for (const [selector, metric] of Object.entries(data.metrics)) {
    for (const [expression, outcome] of Object.entries(metric.thresholds ?? {})) {
      const { metric: metricName, tags } = parseMetricSelector(selector);
      const parts = parseThresholdExpression(expression);
      const endpoint = tags.endpoint ?? null;
      const statistic = parts?.statistic ?? expression;
      const unit = unitOf(metricName, statistic);
      const noSamples = metricsThatNeedSamples.has(metricName) && sampleCount(metric) === 0;
      const observed = noSamples ? null : (metric.values[statistic] ?? null);
      const limit = parts?.limit ?? null;
      const verdict: Check["verdict"] = noSamples ? "no-data" : outcome.ok ? "pass" : "fail";
      const limitText = parts ? `${parts.operator} ${formatLimit(parts.limit, unit)}` : expression;
      const exact = !noSamples && parts ? percentileJudgement(metricName, metric, statistic, parts, unit) : null;
      const rate = !noSamples && parts && statistic === "rate" ? rateReason(metricName, metric, parts, limitText) : null;
      const reason =
        verdict === "no-data"
          ? `no samples for ${selector}: the threshold cannot be judged, so it fails`
          : (exact?.reason ?? rate ?? `observed ${formatObserved(observed, limit, unit)}, required ${limitText}`);
      const samples = exact?.samples ?? (rate !== null ? metric.exact?.samples : undefined);
      checks.push({
        name: parts ? describe(metricName, endpoint, statistic, parts.operator, parts.limit, unit) : `${selector} ${expression}`,
        kind: "threshold",
        metric: selector,
        expression,
        endpoint,
        observed,
        limit,
        unit,
        verdict,
        reason,
        ...(samples !== undefined ? { samples } : {}),
        ...(exact ? { beyondLimit: exact.beyondLimit } : {}),
      });
    }
  }
  return checks.sort((a, b) => (a.endpoint ?? "").localeCompare(b.endpoint ?? "") || a.name.localeCompare(b.name));
}

export function endpointStats(data: EngineSummaryData, endpoints: readonly PlannedEndpoint[]): EndpointStats[] {
  return endpoints
    .filter((endpoint) => data.metrics[`http_reqs{endpoint:${endpoint.name}}`] !== undefined)
    .map((endpoint) => {
      const duration = data.metrics[`http_req_duration{endpoint:${endpoint.name}}`];
      const failed = data.metrics[`http_req_failed{endpoint:${endpoint.name}}`];
      const requests = data.metrics[`http_reqs{endpoint:${endpoint.name}}`];
      const hasLatency = duration !== undefined && sampleCount(duration) > 0;
      return {
        name: endpoint.name,
        criticality: endpoint.criticality,
        requests: requests?.values.count ?? 0,
        ratePerSecond: requests?.values.rate ?? 0,
        errorRate: failed && sampleCount(failed) > 0 ? (failed.values.rate ?? 0) : null,
        latencyMs: hasLatency
          ? {
              avg: duration.values.avg ?? 0,
              p50: duration.values["p(50)"] ?? duration.values.med ?? 0,
              p90: duration.values["p(90)"] ?? 0,
              p95: duration.values["p(95)"] ?? 0,
              p99: duration.values["p(99)"] ?? 0,
              max: duration.values.max ?? 0,
            }
          : null,
      };
    });
}

export function loadTotals(data: EngineSummaryData) {
  const value = (name: string, statistic: string) => data.metrics[name]?.values[statistic];
  const failed = data.metrics.http_req_failed;
  const checks = data.metrics.checks;
  return {
    requests: value("http_reqs", "count") ?? 0,
    ratePerSecond: value("http_reqs", "rate") ?? 0,
    errorRate: failed && sampleCount(failed) > 0 ? (failed.values.rate ?? 0) : null,
    iterations: value("iterations", "count") ?? 0,
    droppedIterations: value("dropped_iterations", "count") ?? 0,
    checksPassRate: checks && sampleCount(checks) > 0 ? (checks.values.rate ?? 0) : null,
    vusMax: value("vus_max", "max") ?? value("vus_max", "value") ?? 0,
  };
}
