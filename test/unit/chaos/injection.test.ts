// injectionState reads what Chaos Mesh writes into status (shapes as its controller writes them).
import { describe, expect, it } from "vitest";
import { describeInjection, injectionState } from "../../../chaos/faults/index.ts";

const condition = (type: string, status: "True" | "False") => ({ type, status });

describe("injection state", () => {
  it("is nothing yet for a new object", () => {
    expect(injectionState({})).toEqual({ selected: false, injected: false, recovered: false, paused: false, records: [], everInjected: 0, failures: [] });
  });

  it("reads a pod-kill that was injected once (and is recovered at once)", () => {
    const state = injectionState({
      status: {
        conditions: [condition("Selected", "True"), condition("AllInjected", "True"), condition("AllRecovered", "False"), condition("Paused", "False")],
        experiment: { desiredPhase: "Run", containerRecords: [{ id: "shop/web-1", selectorKey: ".", phase: "Injected", injectedCount: 1, recoveredCount: 0, events: [{ type: "Succeeded", operation: "Apply", timestamp: "2026-01-01T00:00:00Z" }] }] },
      },
    });
    expect(state).toEqual({
      selected: true,
      injected: true,
      recovered: false,
      paused: false,
      desiredPhase: "Run",
      records: [{ id: "shop/web-1", phase: "Injected", injectedCount: 1, recoveredCount: 0 }],
      everInjected: 1,
      failures: [],
    });
  });

  it("explains a fault that never took effect from the last failed event", () => {
    const state = injectionState({
      status: {
        conditions: [condition("Selected", "True"), condition("AllInjected", "False")],
        experiment: {
          desiredPhase: "Run",
          containerRecords: [
            { id: "shop/web-1/app", phase: "Not Injected", injectedCount: 0, events: [{ type: "Failed", operation: "Apply", message: "unable to find the chaos daemon" }] },
            { id: "shop/web-2/app", phase: "Not Injected", injectedCount: 0, events: [{ type: "Failed", operation: "Apply", message: "x" }, { type: "Succeeded", operation: "Apply" }] },
          ],
        },
      },
    });
    expect(state.injected).toBe(false);
    expect(state.everInjected).toBe(0);
    expect(state.failures).toEqual(["shop/web-1/app: Apply failed: unable to find the chaos daemon"]);
    expect(describeInjection(state)).toBe("selected, not injected (0/2 targets injected now; shop/web-1/app: Apply failed: unable to find the chaos daemon)");
  });

  it("counts a recovered target as injected once", () => {
    const state = injectionState({
      status: { conditions: [condition("AllRecovered", "True")], experiment: { desiredPhase: "Stop", containerRecords: [{ id: "a/b", phase: "Not Injected", injectedCount: 1, recoveredCount: 1 }] } },
    });
    expect(state).toMatchObject({ recovered: true, injected: false, everInjected: 1, desiredPhase: "Stop" });
  });
});
