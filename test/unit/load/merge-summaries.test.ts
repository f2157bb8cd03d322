import { describe, expect, it } from "vitest";
import type { EngineMetric, EngineSummaryData } from "../../../scripts/kinds/load/engine-summary.ts";
import { judgeThreshold, mergeEngineSummaries } from "../../../scripts/kinds/load/merge-summaries.ts";
import { segmentOf, segmentSequence } from "../../../scripts/kinds/load/runners.ts";

const latency = (samples: number, below: number, buckets: [number, number][], max: number): EngineMetric => ({
  type: "trend",
  values: { count: samples, avg: 10, min: 1, max, "p(95)": 0 },
  thresholds: { "p(95)<200": { ok: true } },
  exact: { samples, limits: { "200": { below, atOrBelow: below } } },
  histogram: buckets,
});
const summary = (metrics: Record<string, EngineMetric>): EngineSummaryData => ({ state: { testRunDurationMs: 1000 }, metrics });

describe("merging runners' summaries", () => {
  it("adds exact counts and histograms, judges p(95) once on the whole and reads p(95) from the added buckets", () => {
    const merged = mergeEngineSummaries([
      summary({ d: latency(100, 90, [[1000, 90], [300_000, 10]], 300) }), // alone: 10 % at or over 200 ms, fails
      summary({ d: latency(100, 100, [[1000, 100]], 1) }),
      summary({ d: latency(100, 100, [[2000, 100]], 2) }),
    ]).metrics.d!;
    expect(merged.exact).toEqual({ samples: 300, limits: { "200": { below: 290, atOrBelow: 290 } } });
    expect(merged.thresholds).toEqual({ "p(95)<200": { ok: true } });
    // rank ⌈0.95·300⌉ = 285: the 285th smallest sample is in the 2000 µs bucket.
    expect(merged.values["p(95)"]).toBe(2);
    expect(merged.values).toMatchObject({ count: 300, max: 300, min: 1 });
  });

  it("judges the nearest rank at the boundary: r = ⌈N·n/100⌉ samples below the limit pass, one fewer fails", () => {
    const metric = (below: number): EngineMetric => latency(1000, below, [], 0);
    expect(judgeThreshold(metric(950), "p(95)<200")).toBe(true);
    expect(judgeThreshold(metric(949), "p(95)<200")).toBe(false);
    expect(judgeThreshold(metric(949), "p(95)>=200")).toBe(true);
  });

  it("judges rates exactly on their counts", () => {
    const failed = (nonZero: number, samples: number): EngineMetric => ({ type: "rate", values: {}, exact: { samples, nonZero } });
    expect(judgeThreshold(failed(1, 1000), "rate<0.001")).toBe(false);
    expect(judgeThreshold(failed(1, 1001), "rate<0.001")).toBe(true);
    expect(judgeThreshold(failed(0, 5), "rate<=0")).toBe(true);
  });

  it("names k6-style segments of one sequence", () => {
    expect(segmentSequence(3)).toBe("0,1/3,2/3,1");
    expect([0, 1, 2].map((index) => segmentOf(index, 3))).toEqual(["0:1/3", "1/3:2/3", "2/3:1"]);
  });
});
