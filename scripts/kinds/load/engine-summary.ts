import { formatValue } from "../../core/format.ts";
import type { Check, EndpointStats } from "../../core/step-result.ts";
import type { PlannedEndpoint } from "../../../thresholds/run-plan.ts";
import { parseMetricSelector, parseThresholdExpression } from "./threshold-expression.ts";

/** The parts of the engine's end-of-test data (k6's handleSummary() shape) that bulwark reads. */
export interface EngineSummaryData {
  state?: { testRunDurationMs?: number };
  metrics: Record<string, EngineMetric>;
}

/** Exact counts the engine keeps for every selector with thresholds (docs/engine.md). */
interface ExactCounts {
  samples: number;
  nonZero?: number;
  limits?: Record<string, { below: number; atOrBelow: number }>;
}

interface EngineMetric {
  type: "trend" | "rate" | "counter" | "gauge";
  contains?: string;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
  exact?: ExactCounts;
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
  if (metricName === "http_req_failed") return `${subject}error rate ${operator} ${formatValue(limit, unit)}`;
  if (metricName === "checks") return `checks pass rate ${operator} ${formatValue(limit, unit)}`;
  if (metricName === "dropped_iterations") return `dropped iterations ${operator} ${limit}`;
  if (metricName === "http_reqs") return `${subject}requests ${operator} ${limit}`;
  return `${subject}${statistic} ${operator} ${formatValue(limit, unit)}`;
}


/** Every threshold the engine evaluated, as checks with observed value, limit and verdict. */
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
      const limitText = parts ? `${parts.operator} ${formatValue(parts.limit, unit)}` : expression;
      const reason =
        verdict === "no-data"
          ? `no samples for ${selector}: the threshold cannot be judged, so it fails`
          : `observed ${formatValue(observed, unit)}, required ${limitText}`;
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
