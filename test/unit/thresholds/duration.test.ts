import { describe, expect, it } from "vitest";
import { parseDuration } from "../../../thresholds/duration.ts";

describe("parseDuration", () => {
  it.each([
    ["500ms", 500],
    ["30s", 30_000],
    ["2m", 120_000],
    ["1h30m", 5_400_000],
    ["1.5s", 1500],
  ])("reads %s as %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "-5s", "5", "five seconds", "5d", "10s junk"])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});
