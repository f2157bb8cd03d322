import { describe, expect, it } from "vitest";
import { createErrorSchedule, parseDemoFaults } from "../../../scripts/demo-target/faults.ts";

describe("parseDemoFaults", () => {
  it("combines latency and errors, comma-separated or repeated", () => {
    expect(parseDemoFaults(["latency=300ms,errors=5%"])).toEqual({ latencyMs: 300, errorRate: 0.05 });
    expect(parseDemoFaults(["latency=1s", "errors=0.5%"])).toEqual({ latencyMs: 1000, errorRate: 0.005 });
  });

  it.each([
    ["latency=soon", /latency: 'soon'/],
    ["errors=150%", /errors: '150%'/],
    ["errors=5", /errors: '5'/],
    ["jitter=5ms", /unknown fault 'jitter'/],
  ])("rejects %s", (spec, message) => {
    const result = parseDemoFaults([spec]);
    expect("error" in result && result.error).toMatch(message);
  });
});

describe("createErrorSchedule", () => {
  it("fails exactly the requested share of calls, the first one early", () => {
    const shouldFail = createErrorSchedule(0.05);
    const outcomes = Array.from({ length: 200 }, () => shouldFail());
    expect(outcomes.filter(Boolean)).toHaveLength(10);
    expect(outcomes.indexOf(true)).toBe(9);
  });

  it("never fails at 0 % and always at 100 %", () => {
    const never = createErrorSchedule(0);
    const always = createErrorSchedule(1);
    expect(Array.from({ length: 50 }, () => never()).some(Boolean)).toBe(false);
    expect(Array.from({ length: 50 }, () => always()).every(Boolean)).toBe(true);
  });
});
