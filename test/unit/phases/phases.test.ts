import { describe, expect, it } from "vitest";
import { RequestSampleRecorder } from "../../../scripts/core/request-samples.ts";
import { cutPhases, exactPercentile, judgePhaseErrorRate, judgePhasePercentile, judgePhases, phaseRequests } from "../../../scripts/kinds/load/phases.ts";

/** Requests with known end times, durations and failures: the ground truth of every judgement below. */
function recorded(requests: { atMs: number; durationMs: number; failed?: boolean; endpoint?: string }[]) {
  const recorder = new RequestSampleRecorder();
  for (const request of requests) {
    recorder.add("http_req_duration", request.atMs, request.durationMs, request.endpoint ?? "list-items");
    recorder.add("http_req_failed", request.atMs, request.failed ? 1 : 0, request.endpoint ?? "list-items");
  }
  return recorder.finish();
}

describe("cutting a load into phases", () => {
  it("names the windows before, during each mark and after, back to back", () => {
    const phases = cutPhases(1_000, 10_000, [{ name: "fault:kill", kind: "fault", startMs: 3_000, endMs: 5_000 }]);
    expect(phases.map((phase) => [phase.name, phase.kind, phase.startMs, phase.endMs])).toEqual([
      ["before", "before", 1_000, 3_000],
      ["fault:kill", "fault", 3_000, 5_000],
      ["after", "after", 5_000, 10_000],
    ]);
  });

  it("is one load window without marks, and orders marks given out of order", () => {
    expect(cutPhases(0, 5, []).map((phase) => phase.name)).toEqual(["load"]);
    const phases = cutPhases(0, 100, [
      { name: "recovery", kind: "recovery", startMs: 40, endMs: 60 },
      { name: "fault:a", kind: "fault", startMs: 10, endMs: 40 },
    ]);
    expect(phases.map((phase) => phase.name)).toEqual(["before", "fault:a", "recovery", "after"]);
  });

  it("puts a request ending exactly at a boundary into the later phase", () => {
    const samples = recorded([{ atMs: 2_999, durationMs: 1 }, { atMs: 3_000, durationMs: 2 }, { atMs: 4_999, durationMs: 3 }, { atMs: 5_000, durationMs: 4 }]);
    const [before, during, after] = cutPhases(0, 10_000, [{ name: "fault:x", kind: "fault", startMs: 3_000, endMs: 5_000 }]);
    expect([...phaseRequests(samples, before!).durationsMs]).toEqual([1]);
    expect([...phaseRequests(samples, during!).durationsMs]).toEqual([2, 3]);
    expect([...phaseRequests(samples, after!).durationsMs]).toEqual([4]);
  });
});

describe("p(95) on one phase, exactly", () => {
  const window = { name: "fault:slow", kind: "fault" as const, startMs: 0, endMs: 1_000 };
  // 100 requests: nearest rank 95, so at most 5 may take 200 ms or longer.
  const withSlow = (slow: number) => recorded(Array.from({ length: 100 }, (_, index) => ({ atMs: index, durationMs: index < slow ? 200 : 50 })));

  it("passes with 5 of 100 requests at the limit and fails with 6", () => {
    const pass = judgePhasePercentile("fault:slow", phaseRequests(withSlow(5), window), 95, 200);
    expect(pass).toMatchObject({ verdict: "pass", samples: 100, beyondLimit: 5, observed: 50, kind: "expectation" });
    expect(pass.reason).toContain("(5) of 100 requests at or over 200 ms; allowed 5 % (at most 5)");
    const fail = judgePhasePercentile("fault:slow", phaseRequests(withSlow(6), window), 95, 200);
    expect(fail).toMatchObject({ verdict: "fail", beyondLimit: 6, observed: 200 });
  });

  it("counts only the endpoint asked for", () => {
    const samples = recorded([
      { atMs: 1, durationMs: 900, endpoint: "create-order" },
      { atMs: 2, durationMs: 10, endpoint: "list-items" },
    ]);
    expect(judgePhasePercentile("fault:slow", phaseRequests(samples, window, "list-items"), 95, 200, "list-items").verdict).toBe("pass");
    expect(judgePhasePercentile("fault:slow", phaseRequests(samples, window), 95, 200).verdict).toBe("fail");
  });

  it("says no-data for a phase without requests, and the exact nearest-rank value", () => {
    expect(judgePhasePercentile("fault:slow", phaseRequests(recorded([]), window), 95, 200).verdict).toBe("no-data");
    expect(exactPercentile(Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]), 95)).toBe(19);
  });
});

describe("error rate on one phase, exactly", () => {
  const window = { name: "before", kind: "before" as const, startMs: 0, endMs: 10_000 };
  it("compares the exact fraction with the limit: 1 of 1000 fails < 0.1 %, 1 of 1001 passes", () => {
    const failing = recorded(Array.from({ length: 1000 }, (_, index) => ({ atMs: index, durationMs: 1, failed: index === 0 })));
    expect(judgePhaseErrorRate("before", phaseRequests(failing, window), 0.001).verdict).toBe("fail");
    const passing = recorded(Array.from({ length: 1001 }, (_, index) => ({ atMs: index, durationMs: 1, failed: index === 0 })));
    const check = judgePhaseErrorRate("before", phaseRequests(passing, window), 0.001);
    expect(check).toMatchObject({ verdict: "pass", samples: 1001 });
    expect(check.reason).toContain("(1 of 1001 requests) failed");
  });

  it("treats a limit of 0 as no failed request at all", () => {
    const one = recorded([{ atMs: 1, durationMs: 1, failed: true }, { atMs: 2, durationMs: 1 }]);
    expect(judgePhaseErrorRate("before", phaseRequests(one, window), 0).verdict).toBe("fail");
    expect(judgePhaseErrorRate("before", phaseRequests(recorded([{ atMs: 2, durationMs: 1 }]), window), 0).verdict).toBe("pass");
  });
});

describe("expectations on named phases", () => {
  it("judges every fault phase for kind 'fault' and fails an expectation whose phase never happened", () => {
    const samples = recorded([{ atMs: 5, durationMs: 300 }, { atMs: 15, durationMs: 300 }, { atMs: 25, durationMs: 10 }]);
    const phases = cutPhases(0, 30, [
      { name: "fault:a", kind: "fault", startMs: 0, endMs: 10 },
      { name: "fault:b", kind: "fault", startMs: 10, endMs: 20 },
    ]);
    const checks = judgePhases(samples, phases, [{ phase: "fault", latencyP95Ms: 200 }, { phase: "after", latencyP95Ms: 200, errorRate: 0.01 }, { phase: "recovery", errorRate: 0.01 }]);
    expect(checks.map((check) => [check.name, check.verdict])).toEqual([
      ["fault:a p(95) < 200 ms", "fail"],
      ["fault:b p(95) < 200 ms", "fail"],
      ["after p(95) < 200 ms", "pass"],
      ["after error rate < 1 %", "pass"],
      ["recovery: expectations", "fail"],
    ]);
  });
});
