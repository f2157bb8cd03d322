import { describe, expect, it } from "vitest";
import type { Check } from "../../../scripts/core/step-result.ts";
import { endpointStats, loadTotals, nearestRank, samplesToTellFromMaximum, thresholdChecks, type EngineSummaryData } from "../../../scripts/kinds/load/engine-summary.ts";
import { generatorCheck, generatorState, judgeLoadChecks, saturatedRunners } from "../../../scripts/kinds/load/generator.ts";
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

/** An endpoint's latency metric as the engine reports it: exact counts beside the HDR percentile. */
function latency(samples: number, slowAt: number, slow: number, thresholds: Record<string, { ok: boolean }>) {
  const fast = samples - slow;
  const counts = (limit: number) => ({ below: slowAt < limit ? samples : fast, atOrBelow: slowAt <= limit ? samples : fast });
  return {
    type: "trend" as const,
    contains: "time",
    values: { "p(95)": slow / samples > 0.05 ? slowAt : 12, "p(99)": slow / samples > 0.01 ? slowAt : 12, max: slowAt, count: samples },
    thresholds,
    exact: { samples, limits: { "200": counts(200), "500": counts(500) } },
  };
}

const checkOf = (metric: EngineSummaryData["metrics"][string], expression: string) =>
  thresholdChecks({ metrics: { "http_req_duration{endpoint:list-items}": metric } }).find((check) => check.expression === expression)!;

describe("percentile checks told as exact counts", () => {
  it("fails p(95)<200 with 5.1 % of 1000 requests at 400 ms, and says how many against how many allowed", () => {
    const check = checkOf(latency(1000, 400, 51, { "p(95)<200": { ok: false }, "p(99)<500": { ok: true } }), "p(95)<200");
    expect(check).toMatchObject({ verdict: "fail", observed: 400, samples: 1000, beyondLimit: 51 });
    expect(check.reason).toBe("5.1 % (51) of 1000 requests at or over 200 ms; allowed 5 % (at most 50); p(95) 400 ms");
  });

  it("passes p(95)<200 with 4.9 %", () => {
    const check = checkOf(latency(1000, 400, 49, { "p(95)<200": { ok: true } }), "p(95)<200");
    expect(check).toMatchObject({ verdict: "pass", beyondLimit: 49 });
    expect(check.reason).toBe("4.9 % (49) of 1000 requests at or over 200 ms; allowed 5 % (at most 50); p(95) 12 ms");
  });

  it("counts `<=` as over the limit, not at it", () => {
    const metric = latency(100, 200, 10, { "p(95)<=200": { ok: true } });
    expect(checkOf(metric, "p(95)<=200")).toMatchObject({ beyondLimit: 0, reason: expect.stringMatching(/^0 % \(0\) of 100 requests over 200 ms; allowed 5 % \(at most 5\)/) });
  });

  it("says when there are too few requests for the percentile to differ from the maximum", () => {
    const metric = latency(11, 300, 1, { "p(95)<200": { ok: false }, "p(99)<500": { ok: true } });
    expect(checkOf(metric, "p(95)<200").reason).toBe(
      "9.091 % (1) of 11 requests at or over 200 ms; allowed 5 % (at most 0); p(95) 300 ms; 11 requests: too few for p(95) to differ from the maximum (20 needed)",
    );
    expect(checkOf(metric, "p(99)<500").reason).toMatch(/; 11 requests: too few for p\(99\) to differ from the maximum \(100 needed\)$/);
    expect(checkOf(latency(20, 300, 1, { "p(95)<200": { ok: true } }), "p(95)<200").reason).not.toMatch(/too few/);
  });

  it("gives nearest ranks as the engine computes them, and the samples a percentile needs", () => {
    expect([nearestRank("95", 1000), nearestRank("95", 11), nearestRank("99.9", 1001), nearestRank("50", 1)]).toEqual([950, 11, 1000, 1]);
    expect([samplesToTellFromMaximum("95"), samplesToTellFromMaximum("99"), samplesToTellFromMaximum("99.9"), samplesToTellFromMaximum("50")]).toEqual([20, 100, 1000, 2]);
  });

  it("prints 1 failure in 1001 requests on its side of a 0.1 % limit", () => {
    const checks = thresholdChecks({
      metrics: { "http_req_failed{endpoint:get-item}": { type: "rate", values: { rate: 1 / 1001, passes: 1, fails: 1000 }, thresholds: { "rate<0.001": { ok: true } }, exact: { samples: 1001, nonZero: 1 } } },
    });
    expect(checks[0]).toMatchObject({ name: "get-item error rate < 0.1 %", verdict: "pass", samples: 1001, reason: "0.0999 % (1 of 1001 requests) failed; required < 0.1 %" });
  });
});

describe("the load generator's check and the step verdict", () => {
  const state = (dropped: number) =>
    generatorState({ sizing: { preAllocatedVUs: 1, maxVUs: 1, sizedBy: "profile" }, vusMax: 1, droppedIterations: dropped, maxDroppedIterations: 0, engineCpuSeconds: 2.5, stepSeconds: 10 });
  const slo = (verdict: "pass" | "fail"): Check => ({ name: "p95", kind: "threshold", observed: 1, limit: 2, unit: "ms", verdict, reason: "" });

  it("calls a step whose SLOs held while iterations were dropped invalid, with the figures", () => {
    const check = generatorCheck(state(37));
    expect(check).toMatchObject({ kind: "generator", verdict: "fail", observed: 37, limit: 0 });
    expect(check.reason).toBe("invalid: load generator saturated: 37 iterations dropped (allowed 0); 1 of maxVUs 1 VUs allocated (set by the profile); engine CPU 0.25 cores (2.5 s)");
    expect(judgeLoadChecks([slo("pass"), check])).toBe("invalid");
  });

  it("lets a failed SLO decide over a saturated generator, and passes a clean step", () => {
    expect(judgeLoadChecks([slo("fail"), generatorCheck(state(37))])).toBe("fail");
    expect(judgeLoadChecks([slo("pass"), generatorCheck(state(0))])).toBe("pass");
    expect(generatorCheck(state(0)).reason).toMatch(/^0 iterations dropped \(allowed 0\)/);
  });
});

describe("a step split into runners: one runner over its share of the allowance saturates it", () => {
  const split = (runnerDroppedIterations: number[], maxDroppedIterations: number) =>
    generatorState({
      sizing: { preAllocatedVUs: 3, maxVUs: 3, sizedBy: "profile" },
      vusMax: 3,
      droppedIterations: runnerDroppedIterations.reduce((total, dropped) => total + dropped, 0),
      maxDroppedIterations,
      engineCpuSeconds: null,
      stepSeconds: 5,
      runnerDroppedIterations,
    });

  it("names the runner whose drops exceed its equal share though the sum is within the allowance", () => {
    const state = split([230, 0, 2], 500);
    expect(state).toMatchObject({ droppedIterations: 232, saturated: true, runnerDroppedIterations: [230, 0, 2] });
    expect(saturatedRunners([230, 0, 2], 500)).toEqual([0]);
    const check = generatorCheck(state);
    expect(check).toMatchObject({ verdict: "fail", observed: 232, limit: 500 });
    expect(check.reason).toBe("invalid: load generator saturated: runner 0 dropped 230 iterations, over its share 166.67 of the 500 allowed; 232 iterations dropped (allowed 500); 3 of maxVUs 3 VUs allocated (set by the profile); engine CPU not measured");
    expect(judgeLoadChecks([{ name: "p95", kind: "threshold", observed: 1, limit: 2, unit: "ms", verdict: "pass", reason: "" }, check])).toBe("invalid");
  });

  it("holds a runner to exactly its share: at it passes, one more is over", () => {
    expect(split([4, 4, 4], 12).saturated).toBe(false);
    expect(saturatedRunners([5, 4, 3], 12)).toEqual([0]);
    expect(split([5, 4, 3], 12).saturated).toBe(true);
    // 10 / 3 = 3.33 each: 3 is within, 4 is over although 4 + 0 + 0 is well within 10.
    expect(split([3, 3, 3], 10).saturated).toBe(false);
    expect(split([0, 4, 0], 10)).toMatchObject({ droppedIterations: 4, saturated: true });
    expect(generatorCheck(split([0, 4, 0], 10)).reason).toMatch(/^invalid: load generator saturated: runner 1 dropped 4 iterations, over its share 3\.33 of the 10 allowed; 4 iterations dropped \(allowed 10\)/);
  });

  it("with no allowance any runner's drop saturates, and a clean split passes with its per-runner figures kept", () => {
    expect(saturatedRunners([0, 1, 0], 0)).toEqual([1]);
    expect(split([0, 1, 0], 0).saturated).toBe(true);
    expect(split([0, 0, 0], 0)).toMatchObject({ saturated: false, runnerDroppedIterations: [0, 0, 0] });
  });
});
