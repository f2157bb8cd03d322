import type { EngineMetric, EngineSummaryData, ExactCounts } from "./engine-summary.ts";
import { nearestRank } from "./engine-summary.ts";
import { parseThresholdExpression, type ThresholdExpressionParts } from "./threshold-expression.ts";

/**
 * One engine summary from the summaries of the runners of one segment sequence (docs/distributed.md):
 * counts add, so the merged exact counts are what one process would have counted; percentile values
 * are read from the added histograms (each runner's `--summary-histograms`); every threshold is judged
 * again, once, on the merged data. A runner's own verdict is never used: it saw only its slice.
 */
export function mergeEngineSummaries(runners: readonly EngineSummaryData[]): EngineSummaryData {
  const durationMs = Math.max(0, ...runners.map((runner) => runner.state?.testRunDurationMs ?? 0));
  const names = [...new Set(runners.flatMap((runner) => Object.keys(runner.metrics)))].sort();
  const metrics: Record<string, EngineMetric> = {};
  for (const name of names) {
    const parts = runners.map((runner) => runner.metrics[name]).filter((metric): metric is EngineMetric => metric !== undefined);
    metrics[name] = mergeMetric(parts, durationMs);
  }
  return { state: { testRunDurationMs: durationMs }, metrics };
}

const sum = (values: readonly (number | undefined)[]): number => values.reduce<number>((total, value) => total + (value ?? 0), 0);

function mergeMetric(parts: readonly EngineMetric[], durationMs: number): EngineMetric {
  const first = parts[0]!;
  const values: Record<string, number> = {};
  const statistics = [...new Set(parts.flatMap((part) => Object.keys(part.values)))];
  const histogram = first.type === "trend" ? mergeHistograms(parts) : undefined;
  for (const statistic of statistics) values[statistic] = mergeValue(first.type, statistic, parts, durationMs, histogram);
  const merged: EngineMetric = { type: first.type, ...(first.contains ? { contains: first.contains } : {}), values };
  const exact = mergeExact(parts);
  if (exact) merged.exact = exact;
  if (histogram) merged.histogram = histogram;
  const expressions = [...new Set(parts.flatMap((part) => Object.keys(part.thresholds ?? {})))];
  if (expressions.length > 0) merged.thresholds = Object.fromEntries(expressions.map((expression) => [expression, { ok: judgeThreshold(merged, expression) }]));
  return merged;
}

function mergeValue(type: EngineMetric["type"], statistic: string, parts: readonly EngineMetric[], durationMs: number, histogram: [number, number][] | undefined): number {
  const of = (key: string) => parts.map((part) => part.values[key]);
  switch (type) {
    case "counter":
      if (statistic === "rate") return durationMs > 0 ? sum(of("count")) / (durationMs / 1000) : 0;
      return sum(of(statistic));
    case "rate": {
      if (statistic !== "rate") return sum(of(statistic));
      const passes = sum(of("passes"));
      const total = passes + sum(of("fails"));
      return total > 0 ? passes / total : 0;
    }
    case "gauge":
      // Runners run side by side: their VUs (the gauges bulwark reads) add up.
      return sum(of(statistic));
    case "trend": {
      const counts = of("count").map((count, index) => count ?? parts[index]!.exact?.samples ?? 0);
      const samples = sum(counts);
      const withSamples = parts.filter((_, index) => counts[index]! > 0);
      if (statistic === "count") return samples;
      if (statistic === "min") return withSamples.length > 0 ? Math.min(...withSamples.map((part) => part.values.min ?? Infinity)) : 0;
      if (statistic === "max") return withSamples.length > 0 ? Math.max(...withSamples.map((part) => part.values.max ?? -Infinity)) : 0;
      if (statistic === "avg") return samples > 0 ? sum(parts.map((part, index) => (part.values.avg ?? 0) * counts[index]!)) / samples : 0;
      const percentile = statistic === "med" ? "50" : /^p\((\d+(?:\.\d+)?)\)$/.exec(statistic)?.[1];
      if (percentile === undefined || !histogram) return Number.NaN;
      const maximum = Math.max(...withSamples.map((part) => part.values.max ?? -Infinity));
      return valueAtRank(histogram, nearestRank(percentile, samples), maximum);
    }
  }
}

/** The runners' histogram buckets added: [upper edge µs, count], ascending. */
function mergeHistograms(parts: readonly EngineMetric[]): [number, number][] | undefined {
  if (parts.some((part) => part.histogram === undefined)) return undefined;
  const counts = new Map<number, number>();
  for (const part of parts) for (const [edge, count] of part.histogram!) counts.set(edge, (counts.get(edge) ?? 0) + count);
  return [...counts.entries()].sort(([a], [b]) => a - b);
}

/** The histograms' microsecond range ends at one hour; samples beyond it were clamped (docs/engine.md). */
const histogramHighestUs = 3_600_000_000;

/** As the engine reads one histogram: the upper edge of the bucket holding the rank-th sample, capped by the maximum. */
export function valueAtRank(histogram: readonly [number, number][], rank: number, maximum: number): number {
  let seen = 0;
  for (const [edge, count] of histogram) {
    seen += count;
    if (seen >= rank) return edge >= histogramHighestUs ? maximum : Math.min(edge / 1000, maximum);
  }
  return maximum;
}

function mergeExact(parts: readonly EngineMetric[]): ExactCounts | undefined {
  const exacts = parts.map((part) => part.exact).filter((exact): exact is ExactCounts => exact !== undefined);
  if (exacts.length === 0) return undefined;
  const merged: ExactCounts = { samples: sum(exacts.map((exact) => exact.samples)) };
  if (exacts.some((exact) => exact.nonZero !== undefined)) merged.nonZero = sum(exacts.map((exact) => exact.nonZero));
  const limits = [...new Set(exacts.flatMap((exact) => Object.keys(exact.limits ?? {})))];
  if (limits.length > 0) {
    merged.limits = Object.fromEntries(
      limits.map((limit) => [limit, { below: sum(exacts.map((exact) => exact.limits?.[limit]?.below)), atOrBelow: sum(exacts.map((exact) => exact.limits?.[limit]?.atOrBelow)) }]),
    );
  }
  return merged;
}

/** A decimal such as "0.001" or "1e-3" as an exact fraction numerator/denominator. */
function exactFraction(value: number): { numerator: bigint; denominator: bigint } {
  const [mantissa = "0", exponentText = "0"] = value.toString().toLowerCase().split("e");
  const [whole = "0", fraction = ""] = mantissa.split(".");
  const exponent = Number(exponentText) - fraction.length;
  const digits = BigInt(`${whole}${fraction}`);
  return exponent >= 0 ? { numerator: digits * 10n ** BigInt(exponent), denominator: 1n } : { numerator: digits, denominator: 10n ** BigInt(-exponent) };
}

function compare(left: number | bigint, operator: ThresholdExpressionParts["operator"], right: number | bigint): boolean {
  switch (operator) {
    case "<":
      return left < right;
    case "<=":
      return left <= right;
    case ">":
      return left > right;
    case ">=":
      return left >= right;
    case "==":
      return left === right;
    case "!=":
      return left !== right;
  }
}

/**
 * One threshold on merged data, as the engine judges it on one process's (docs/engine.md): p(N) on the
 * exact counts (r = ⌈N·n/100⌉; `p(N)<L` passes when at least r samples are below L), rates exactly on
 * their counts, every other statistic on its merged value.
 */
export function judgeThreshold(metric: EngineMetric, expression: string): boolean {
  const parts = parseThresholdExpression(expression);
  if (!parts) return false;
  const exact = metric.exact;
  const percentile = /^p\((\d+(?:\.\d+)?)\)$/.exec(parts.statistic)?.[1];
  const counts = exact?.limits?.[String(parts.limit)] ?? Object.entries(exact?.limits ?? {}).find(([key]) => Number(key) === parts.limit)?.[1];
  if (percentile !== undefined && exact && counts) {
    if (exact.samples === 0) return false;
    const rank = nearestRank(percentile, exact.samples);
    // The nearest-rank value x_r against L: x_r < L ⇔ at least r samples below L; x_r ≤ L ⇔ at least r at or below.
    const below = counts.below >= rank;
    const atOrBelow = counts.atOrBelow >= rank;
    switch (parts.operator) {
      case "<":
        return below;
      case "<=":
        return atOrBelow;
      case ">":
        return !atOrBelow;
      case ">=":
        return !below;
      case "==":
        return atOrBelow && !below;
      case "!=":
        return below || !atOrBelow;
    }
  }
  if (parts.statistic === "rate" && metric.type === "rate" && exact?.nonZero !== undefined) {
    // nonZero/samples OP a/b ⇔ nonZero·b OP a·samples (no samples: rate 0, as the engine has it).
    const { numerator, denominator } = exactFraction(parts.limit);
    return compare(BigInt(exact.nonZero) * denominator, parts.operator, numerator * BigInt(exact.samples));
  }
  const observed = metric.values[parts.statistic];
  return observed !== undefined && !Number.isNaN(observed) && compare(observed, parts.operator, parts.limit);
}
