// The expectations of a scaling check judged on recorded timelines, with the observation's end given by
// an injected clock: deadlines at their boundary, flapping counted as changes of direction, and a
// timeline recorded from a real hpa-demo run on the local cluster judged again offline.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Clock } from "../../../scripts/core/clock.ts";
import { expectationLimits, scalingCheckSchema } from "../../../scripts/kinds/scaling/definition.ts";
import {
  desiredPath,
  directionChanges,
  judgeExpectations,
  judgeFlapping,
  judgeNeverAbove,
  judgeScaleIn,
  judgeScaleOut,
  observationComplete,
} from "../../../scripts/kinds/scaling/expectations.ts";
import type { ReplicaSample, ScalingTimeline } from "../../../scripts/kinds/scaling/timeline.ts";

const t0 = 1_800_000_000_000;

/** A manual clock: the test moves time, the judge reads it. */
function manualClock(start: number): Clock & { advance(ms: number): number } {
  let now = start;
  return { now: () => now, advance: (ms) => (now += ms) };
}

function sample(offsetMs: number, counts: { desired?: number | null; current?: number; ready?: number }): ReplicaSample {
  const desired = counts.desired === undefined ? 1 : counts.desired;
  return {
    atMs: t0 + offsetMs,
    desired,
    current: counts.current ?? desired ?? 1,
    ready: counts.ready ?? counts.current ?? desired ?? 1,
    specReplicas: desired,
    minReplicas: 1,
    maxReplicas: 10,
    metric: null,
  };
}

const load = { loadStartMs: t0 + 1000, loadEndMs: t0 + 31_000 };

describe("scale-out: at least N ready within T of the load's start", () => {
  const limit = { readyReplicas: 3, withinMs: 20_000 };

  it("passes when N ready arrive exactly at the deadline, fails a millisecond later", () => {
    const atDeadline = [sample(0, { desired: 1 }), sample(1000 + 20_000, { desired: 3, ready: 3 })];
    const late = [sample(0, { desired: 1 }), sample(1000 + 20_001, { desired: 3, ready: 3 })];
    const clock = manualClock(t0 + 40_000);
    const atBoundary = judgeScaleOut(atDeadline, limit, { ...load, observedUntilMs: clock.now() });
    expect(atBoundary).toMatchObject({ verdict: "pass", observed: 3, limit: 3, finding: "3 ready at +20.0 s" });
    const missed = judgeScaleOut(late, limit, { ...load, observedUntilMs: clock.now() });
    expect(missed).toMatchObject({ verdict: "fail", observed: 1, finding: "reached 1 of 3 ready replicas by 20.0 s", atMs: t0 + 21_000 });
  });

  it("counts ready replicas, not desired ones: desired 3 with 2 ready is short", () => {
    const samples = [sample(0, { desired: 1 }), sample(5000, { desired: 3, current: 3, ready: 2 })];
    expect(judgeScaleOut(samples, limit, { ...load, observedUntilMs: t0 + 60_000 })).toMatchObject({ verdict: "fail", observed: 2 });
  });

  it("is no-data, not a failure, while the clock has not reached the deadline", () => {
    const clock = manualClock(t0 + 10_000);
    const samples = [sample(0, { desired: 1 })];
    expect(judgeScaleOut(samples, limit, { ...load, observedUntilMs: clock.now() }).verdict).toBe("no-data");
    clock.advance(11_000); // t0 + 21 000: the deadline itself
    expect(judgeScaleOut(samples, limit, { ...load, observedUntilMs: clock.now() }).verdict).toBe("fail");
  });

  it("counts replicas already ready when the load starts at +0", () => {
    const samples = [sample(0, { desired: 4, ready: 4 })];
    expect(judgeScaleOut(samples, limit, { ...load, observedUntilMs: t0 + 2000 })).toMatchObject({ verdict: "pass", finding: "4 ready at +0 ms" });
  });
});

describe("flapping: changes of direction of the desired replicas while the load runs", () => {
  it("counts direction changes, not changes: 1 -> 2 -> 4 is none, 1 -> 3 -> 2 -> 3 -> 2 is three", () => {
    expect(directionChanges([1, 2, 4])).toBe(0);
    expect(directionChanges([1, 3, 2, 3, 2])).toBe(3);
    expect(directionChanges([4, 3, 1])).toBe(0);
    expect(directionChanges([1, 4, 1])).toBe(1);
    expect(directionChanges([])).toBe(0);
  });

  it("ignores repeated values and unknown desired counts", () => {
    const samples = [sample(0, { desired: null }), sample(10, { desired: 1 }), sample(20, { desired: 1, ready: 0 }), sample(30, { desired: 3 }), sample(40, { desired: 3, ready: 2 })];
    expect(desiredPath(samples)).toEqual([1, 3]);
  });

  it("judges only the load's window, and fails at K + 1", () => {
    const samples = [
      sample(0, { desired: 1 }),
      sample(5000, { desired: 3 }), // under load: up
      sample(9000, { desired: 2 }), // down: change 1
      sample(13_000, { desired: 3 }), // up: change 2
      sample(40_000, { desired: 1 }), // after the load: not counted
    ];
    const window = { ...load, observedUntilMs: t0 + 60_000 };
    expect(judgeFlapping(samples, 2, window)).toMatchObject({ verdict: "pass", observed: 2, finding: "2 direction changes (desired 1 -> 3 -> 2 -> 3)" });
    expect(judgeFlapping(samples, 1, window)).toMatchObject({ verdict: "fail", observed: 2 });
  });

  it("is no-data when the observation ended before the load did", () => {
    expect(judgeFlapping([sample(0, { desired: 1 })], 0, { ...load, observedUntilMs: t0 + 10_000 }).verdict).toBe("no-data");
  });
});

describe("never above a maximum", () => {
  it("fails on the first sample whose desired or current count exceeds it, and names when", () => {
    const samples = [sample(0, { desired: 1 }), sample(6000, { desired: 6, current: 4, ready: 4 }), sample(7000, { desired: 6, current: 6, ready: 6 }), sample(30_000, { desired: 2 })];
    expect(judgeNeverAbove(samples, 5, { ...load, observedUntilMs: t0 + 50_000 })).toMatchObject({ verdict: "fail", observed: 6, finding: "6 replicas at +5.0 s (peak 6)", atMs: t0 + 6000 });
    expect(judgeNeverAbove(samples, 6, { ...load, observedUntilMs: t0 + 50_000 })).toMatchObject({ verdict: "pass", observed: 6 });
  });

  it("does not count what happened before the load started", () => {
    const samples = [sample(0, { desired: 9 }), sample(500, { desired: 1 })];
    expect(judgeNeverAbove(samples, 5, { ...load, observedUntilMs: t0 + 50_000 }).verdict).toBe("pass");
  });
});

describe("scale-in: back to at most M within T2 of the load's end", () => {
  const limit = { replicas: 1, withinMs: 30_000 };

  it("passes at the deadline exactly, fails a millisecond later, and counts pods until they are gone", () => {
    const onTime = [sample(0, { desired: 4 }), sample(31_000 + 10_000, { desired: 1, current: 4 }), sample(31_000 + 30_000, { desired: 1, current: 1 })];
    const late = [sample(0, { desired: 4 }), sample(31_000 + 10_000, { desired: 1, current: 4 }), sample(31_000 + 30_001, { desired: 1, current: 1 })];
    const window = { ...load, observedUntilMs: t0 + 31_000 + 40_000 };
    expect(judgeScaleIn(onTime, limit, window)).toMatchObject({ verdict: "pass", observed: 1, finding: "1 replicas at +30.0 s after the load" });
    expect(judgeScaleIn(late, limit, window)).toMatchObject({ verdict: "fail", observed: 4, finding: "still 4 replicas 30.0 s after the load stopped" });
  });

  it("lets the observation stop as soon as the scale-in is seen, or at its deadline", () => {
    const samples = [sample(0, { desired: 4 })];
    const limits = { scaleIn: limit };
    const window = { startMs: load.loadStartMs, endMs: load.loadEndMs };
    const clock = manualClock(load.loadEndMs - 1);
    expect(observationComplete(samples, limits, window, clock.now())).toBe(false);
    clock.advance(1);
    expect(observationComplete(samples, limits, window, clock.now())).toBe(false);
    samples.push(sample(31_000 + 12_000, { desired: 1, current: 1 }));
    clock.advance(11_999);
    expect(observationComplete(samples, limits, window, clock.now())).toBe(false);
    clock.advance(1);
    expect(observationComplete(samples, limits, window, clock.now())).toBe(true);
    expect(observationComplete([sample(0, { desired: 4 })], limits, window, load.loadEndMs + 30_000)).toBe(true);
    expect(observationComplete(samples, {}, window, load.loadEndMs)).toBe(true);
  });
});

describe("a timeline recorded from a real hpa-demo run", () => {
  const recorded = JSON.parse(readFileSync(new URL("./fixtures/hpa-demo.scaling-timeline.json", import.meta.url), "utf8")) as {
    window: { loadStartMs: number; loadEndMs: number; endMs: number };
    timeline: ScalingTimeline;
  };
  const check = scalingCheckSchema.parse({
    workload: { namespace: "bulwark-demo", deployment: "demo-scaling" },
    load: { scenario: "browse-catalog", profile: "scaling" },
    expect: { scaleOut: { readyReplicas: 3, within: "20s" }, neverAbove: 5, maxDirectionChanges: 0, scaleIn: { replicas: 1, within: "30s" } },
  });
  const window = { loadStartMs: recorded.window.loadStartMs, loadEndMs: recorded.window.loadEndMs, observedUntilMs: recorded.window.endMs };

  it("scaled 1 -> 4 under load and back to 1 after it; each expectation met with its own instant", () => {
    const outcomes = judgeExpectations(recorded.timeline.samples, expectationLimits(check.expect), window);
    expect(outcomes.map((outcome) => [outcome.expectation, outcome.verdict, outcome.observed])).toEqual([
      ["scaleOut", "pass", 3],
      ["neverAbove", "pass", 4],
      ["maxDirectionChanges", "pass", 0],
      ["scaleIn", "pass", 1],
    ]);
    // Ready replicas reached 3 at +15.7 s after the load started; the pods were gone 25.6 s after it ended.
    expect(Math.round((outcomes[0]!.atMs - window.loadStartMs) / 100) / 10).toBe(15.7);
    expect(Math.round((outcomes[3]!.atMs - window.loadEndMs) / 100) / 10).toBe(25.6);
  });

  it("the same run judged with tighter windows fails where it should", () => {
    const tight = expectationLimits({ ...check.expect, scaleOut: { readyReplicas: 3, within: "15s" }, scaleIn: { replicas: 1, within: "25s" } });
    const outcomes = judgeExpectations(recorded.timeline.samples, tight, window);
    expect(outcomes.find((outcome) => outcome.expectation === "scaleOut")).toMatchObject({ verdict: "fail", observed: 1 });
    expect(outcomes.find((outcome) => outcome.expectation === "scaleIn")).toMatchObject({ verdict: "fail", observed: 4 });
  });
});
