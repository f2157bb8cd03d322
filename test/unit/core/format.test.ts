import { describe, expect, it } from "vitest";
import { checkCells, formatMs, formatValue } from "../../../scripts/core/format.ts";

describe("formatValue: check values in their unit", () => {
  it("prints durations in seconds the way drill evidence does: precise when short, readable when long", () => {
    expect([formatValue(0.85, "s"), formatValue(12.34, "s"), formatValue(245, "s"), formatValue(14_400, "s")]).toEqual(["850 ms", "12.3 s", "4 min 05 s", "4 h 00 min"]);
    expect(formatValue(14_400, "s")).toBe(formatMs(4 * 3_600_000));
  });

  it("prints the other units, and no data for a missing value", () => {
    expect([formatValue(123.45, "ms"), formatValue(0.0123, "ratio"), formatValue(3, "count"), formatValue(41.26, "per-second"), formatValue(null, "s")]).toEqual(["123.5 ms", "1.23 %", "3", "41.3/s", "no data"]);
  });

  it("a check's table cells: the figures, a dash where nothing numeric was judged, no data only for a no-data verdict", () => {
    expect(checkCells({ observed: 0.00999, limit: 0.01, unit: "ratio", verdict: "pass" })).toEqual({ observed: "0.999 %", limit: "1 %" });
    expect(checkCells({ observed: 180, limit: 200, unit: "ms", verdict: "pass", expression: "p(95)<200" })).toEqual({ observed: "180 ms", limit: "p(95)<200" });
    expect(checkCells({ observed: null, limit: null, unit: "count", verdict: "pass" })).toEqual({ observed: "–", limit: "–" });
    expect(checkCells({ observed: null, limit: null, unit: "s", verdict: "fail" })).toEqual({ observed: "–", limit: "–" });
    expect(checkCells({ observed: null, limit: 200, unit: "ms", verdict: "no-data" })).toEqual({ observed: "no data", limit: "200 ms" });
  });
});
