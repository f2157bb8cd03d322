import { describe, expect, it } from "vitest";
import { LogHistogram, bucketMidpoint, bucketOf } from "../../../reports/timeseries/log-histogram.ts";

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

describe("LogHistogram", () => {
  it("reads percentiles back within 1 % of the exact nearest-rank value", () => {
    const histogram = new LogHistogram();
    const values: number[] = [];
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 20_000; i++) {
      const value = Math.exp(random() * 8 - 2);
      values.push(value);
      histogram.record(value);
    }
    values.sort((a, b) => a - b);
    const qs = [0.5, 0.9, 0.95, 0.99];
    const read = histogram.quantiles(qs);
    qs.forEach((q, i) => {
      const exact = exactQuantile(values, q);
      expect(Math.abs(read[i]! - exact) / exact).toBeLessThan(0.01);
    });
    expect(histogram.count).toBe(20_000);
    expect(histogram.max).toBe(values[values.length - 1]);
  });

  it("keeps zero and out-of-range values without losing the count", () => {
    const histogram = new LogHistogram();
    [0, 0, 5_000_000, 3].forEach((value) => histogram.record(value));
    const [p25, p50, p100] = histogram.quantiles([0.25, 0.5, 1]);
    expect(p25).toBe(0);
    expect(p50).toBe(0);
    expect(p100).toBe(5_000_000);
  });

  it("is empty again after reset", () => {
    const histogram = new LogHistogram();
    histogram.record(12);
    histogram.reset();
    expect(histogram.count).toBe(0);
    expect(histogram.quantiles([0.5])[0]).toBeNaN();
    histogram.record(7);
    expect(Math.abs(histogram.quantiles([0.5])[0]! - 7)).toBeLessThan(0.07);
  });

  it("maps a value to a bucket whose midpoint is within 0.4 % of it", () => {
    for (const value of [0.002, 0.5, 1, 1.5, 199.9, 200, 12_345.678]) {
      expect(Math.abs(bucketMidpoint(bucketOf(value)) - value) / value).toBeLessThan(0.004);
    }
  });
});
