import { describe, expect, it } from "vitest";
import { formatMs, formatValue } from "../../../scripts/core/format.ts";

describe("formatValue: check values in their unit", () => {
  it("prints durations in seconds the way drill evidence does: precise when short, readable when long", () => {
    expect([formatValue(0.85, "s"), formatValue(12.34, "s"), formatValue(245, "s"), formatValue(14_400, "s")]).toEqual(["850 ms", "12.3 s", "4 min 05 s", "4 h 00 min"]);
    expect(formatValue(14_400, "s")).toBe(formatMs(4 * 3_600_000));
  });

  it("prints the other units, and no data for a missing value", () => {
    expect([formatValue(123.45, "ms"), formatValue(0.0123, "ratio"), formatValue(3, "count"), formatValue(41.26, "per-second"), formatValue(null, "s")]).toEqual(["123.5 ms", "1.23 %", "3", "41.3/s", "no data"]);
  });
});
