import { describe, expect, it } from "vitest";
import { endpointStats, loadTotals, thresholdChecks, type EngineSummaryData } from "../../../scripts/kinds/load/engine-summary.ts";
import { parseMetricSelector, parseThresholdExpression } from "../../../scripts/kinds/load/threshold-expression.ts";

const trend = (values: Record<string, number>, thresholds?: Record<string, { ok: boolean }>) => ({ type: "trend" as const, contains: "time", values, ...(thresholds ? { thresholds } : {}) });

const data: EngineSummaryData = {
  metrics: {
    "http_req_duration{endpoint:list-items}": trend({ avg: 150, min: 3, med: 140, max: 900, "p(50)": 140, "p(90)": 210, "p(95)": 312.5, "p(99)": 600, count: 100 }, { "p(95)<200": { ok: false }, "p(99)<500": { ok: false } }),
    "http_req_duration{endpoint:get-item}": trend({ avg: 0, min: 0, med: 0, max: 0, "p(50)": 0, "p(90)": 0, "p(95)": 0, "p(99)": 0, count: 0 }, { "p(95)<200": { ok: true } }),
    "http_req_failed{endpoint:list-items}": { type: "rate", values: { rate: 0.05, passes: 5, fails: 95 }, thresholds: { "rate<0.001": { ok: false } } },
    "http_reqs{endpoint:list-items}": { type: "counter", values: { count: 100, rate: 10 }, thresholds: { "count>0": { ok: true } } },
    dropped_iterations: { type: "counter", values: { count: 0, rate: 0 }, thresholds: { "count<=0": { ok: true } } },
    http_reqs: { type: "counter", values: { count: 101, rate: 10.1 } },
    http_req_failed: { type: "rate", values: { rate: 0.0495, passes: 5, fails: 96 } },
    iterations: { type: "counter", values: { count: 100, rate: 10 } },
    checks: { type: "rate", values: { rate: 0.95, passes: 95, fails: 5 }, thresholds: { "rate>0.999": { ok: false } } },
    vus_max: { type: "gauge", values: { value: 7, min: 5, max: 7 } },
  },
};

describe("thresholdChecks", () => {
  const checks = thresholdChecks(data);
  const find = (metric: string, expression: string) => checks.find((check) => check.metric === metric && check.expression === expression);

  it("reports a crossed p95 with the observed value, the limit and the endpoint", () => {
    expect(find("http_req_duration{endpoint:list-items}", "p(95)<200")).toMatchObject({
      name: "list-items p(95) < 200 ms",
      endpoint: "list-items",
      observed: 312.5,
      limit: 200,
      unit: "ms",
      verdict: "fail",
      reason: "observed 312.5 ms, required < 200 ms",
    });
  });

  it("reports the error rate as a ratio", () => {
    expect(find("http_req_failed{endpoint:list-items}", "rate<0.001")).toMatchObject({ name: "list-items error rate < 0.1 %", observed: 0.05, unit: "ratio", verdict: "fail" });
  });

  it("fails a latency threshold that the engine passed on zero samples", () => {
    expect(find("http_req_duration{endpoint:get-item}", "p(95)<200")).toMatchObject({ verdict: "no-data", observed: null });
  });

  it("passes zero dropped iterations even though the counter has no samples", () => {
    expect(find("dropped_iterations", "count<=0")).toMatchObject({ verdict: "pass", observed: 0 });
  });
});

describe("endpointStats and loadTotals", () => {
  const endpoints = [
    { name: "list-items", method: "GET", path: "/api/items", criticality: "critical" as const, slo: { latencyP95Ms: 200, latencyP99Ms: 500, errorRate: 0.001 } },
  ];

  it("gives per-endpoint percentiles, rate and errors", () => {
    expect(endpointStats(data, endpoints)).toEqual([
      { name: "list-items", criticality: "critical", requests: 100, ratePerSecond: 10, errorRate: 0.05, latencyMs: { avg: 150, p50: 140, p90: 210, p95: 312.5, p99: 600, max: 900 } },
    ]);
  });

  it("sums up the run", () => {
    expect(loadTotals(data)).toEqual({ requests: 101, ratePerSecond: 10.1, errorRate: 0.0495, iterations: 100, droppedIterations: 0, checksPassRate: 0.95, vusMax: 7 });
  });
});

describe("threshold expressions", () => {
  it.each([
    ["p(95)<200", { statistic: "p(95)", operator: "<", limit: 200 }],
    ["rate<0.001", { statistic: "rate", operator: "<", limit: 0.001 }],
    ["count<=3", { statistic: "count", operator: "<=", limit: 3 }],
    ["p(99.9) < 1e3", { statistic: "p(99.9)", operator: "<", limit: 1000 }],
  ])("parses %s", (expression, expected) => {
    expect(parseThresholdExpression(expression)).toEqual(expected);
  });

  it("splits a metric selector into name and tags", () => {
    expect(parseMetricSelector("http_req_duration{endpoint:list-items,criticality:critical}")).toEqual({ metric: "http_req_duration", tags: { endpoint: "list-items", criticality: "critical" } });
  });
});
