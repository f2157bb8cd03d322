import { describe, expect, it } from "vitest";
import { RequestSampleRecorder } from "../../../scripts/core/request-samples.ts";
import { cutPhases } from "../../../scripts/kinds/load/phases.ts";
import { errorBlip, judgeRolloutSlo, liveBreach, sloHolds } from "../../../scripts/kinds/rollout/slo.ts";

function recorded(requests: { atMs: number; durationMs: number; failed?: boolean }[]) {
  const recorder = new RequestSampleRecorder();
  for (const request of requests) {
    recorder.add("http_req_duration", request.atMs, request.durationMs, "list-items");
    recorder.add("http_req_failed", request.atMs, request.failed ? 1 : 0, "list-items");
  }
  return recorder.finish();
}

const phases = cutPhases(0, 10_000, [
  { name: "rollout", kind: "rollout", startMs: 2_000, endMs: 5_000 },
  { name: "rollback", kind: "rollback", startMs: 5_000, endMs: 7_000 },
]);

describe("the SLO during a rollout", () => {
  it("is not applicable with simulated pods: never a pass, whatever the load saw", () => {
    const clean = recorded([{ atMs: 3_000, durationMs: 5 }, { atMs: 6_000, durationMs: 5 }]);
    const checks = judgeRolloutSlo({ latencyP95Ms: 200, errorRate: 0 }, phases, clean, { simulated: true, why: "KWOK nodes n0" });
    expect(checks.map((check) => [check.name, check.verdict])).toEqual([
      ["rollout p(95) < 200 ms", "no-data"],
      ["rollout error rate = 0", "no-data"],
      ["rollback p(95) < 200 ms", "no-data"],
      ["rollback error rate = 0", "no-data"],
    ]);
    expect(checks.every((check) => check.reason.startsWith("not applicable: simulated pods (KWOK nodes n0)"))).toBe(true);
  });

  it("is judged on each phase's own requests with real pods", () => {
    // The failure ends in the rollback phase only; the slow request in 'before' counts nowhere.
    const samples = recorded([{ atMs: 1_000, durationMs: 900 }, { atMs: 3_000, durationMs: 5 }, { atMs: 6_000, durationMs: 5, failed: true }]);
    const checks = judgeRolloutSlo({ latencyP95Ms: 200, errorRate: 0 }, phases, samples, { simulated: false, why: "real nodes n0" });
    expect(checks.map((check) => [check.name, check.verdict, check.observed])).toEqual([
      ["rollout p(95) < 200 ms", "pass", 5],
      ["rollout error rate = 0", "pass", 0],
      ["rollback p(95) < 200 ms", "pass", 5],
      ["rollback error rate = 0", "fail", 1],
    ]);
  });

  it("of a bad change with real pods: the blip measured exactly, the SLO judged after the restore", () => {
    // The change at 2 s, detected at 5 s, restored at 7 s. Failures end at 3.5 s, 5.5 s and 6.999 s; the one
    // at 1.9 s is before the change and the one at 7 s already after the restore.
    const samples = recorded([
      { atMs: 1_900, durationMs: 5, failed: true },
      { atMs: 3_000, durationMs: 5 },
      { atMs: 3_500, durationMs: 5, failed: true },
      { atMs: 5_500, durationMs: 5, failed: true },
      { atMs: 6_999, durationMs: 5, failed: true },
      { atMs: 7_000, durationMs: 5, failed: true },
      { atMs: 8_000, durationMs: 5 },
    ]);
    const checks = judgeRolloutSlo({ errorRate: 0.001 }, phases, samples, { simulated: false, why: "real nodes n0" }, "rolled-back");
    expect(checks.map((check) => [check.name, check.kind, check.verdict, check.observed])).toEqual([
      ["error blip of the bad change", "rollout", "pass", 3],
      ["after error rate < 0.1 %", "expectation", "fail", 0.5],
    ]);
    expect(checks[0]!.reason).toBe("3 of 4 requests failed between the change and the restore (5.0 s): the first ended 1.5 s after the change, the last 5.0 s after it (1 ms before the restore)");
    expect(checks[0]!.samples).toBe(4);
    // Without a failure there is no blip, and a clean after phase passes.
    const clean = recorded([{ atMs: 3_000, durationMs: 5 }, { atMs: 8_000, durationMs: 5 }]);
    expect(errorBlip(clean, phases)).toMatchObject({ observed: 0, verdict: "pass", reason: "no request failed of 1 between the change and the restore (5.0 s)" });
    expect(judgeRolloutSlo({ errorRate: 0 }, phases, clean, { simulated: false, why: "real nodes n0" }, "rolled-back")[1]).toMatchObject({ name: "after error rate = 0", verdict: "pass", observed: 0 });
  });

  it("of a bad change with simulated pods: blip and recovery not applicable, never a pass", () => {
    const samples = recorded([{ atMs: 3_000, durationMs: 5, failed: true }, { atMs: 8_000, durationMs: 5 }]);
    const checks = judgeRolloutSlo({ latencyP95Ms: 200, errorRate: 0.001 }, phases, samples, { simulated: true, why: "KWOK nodes n0" }, "rolled-back");
    expect(checks.map((check) => [check.name, check.verdict])).toEqual([
      ["error blip of the bad change", "no-data"],
      ["after p(95) < 200 ms", "no-data"],
      ["after error rate < 0.1 %", "no-data"],
    ]);
    expect(checks.every((check) => check.reason.startsWith("not applicable: simulated pods (KWOK nodes n0)"))).toBe(true);
  });

  it("detects a live breach only with enough requests, at the limit's boundary", () => {
    const four = recorded([0, 1, 2, 3].map((index) => ({ atMs: 100 + index, durationMs: 5, failed: true })));
    expect(liveBreach(four, 0, 1_000, { errorRate: 0 })).toBeNull();
    const ten = recorded(Array.from({ length: 10 }, (_, index) => ({ atMs: 100 + index, durationMs: 5, failed: index === 0 })));
    expect(liveBreach(ten, 0, 1_000, { errorRate: 0.1 })).toBe("1 of 10 requests failed in the last 1 s (10 %, limit 10 %)");
    expect(liveBreach(ten, 0, 1_000, { errorRate: 0.11 })).toBeNull();
    expect(liveBreach(ten, 0, 1_000, { latencyP95Ms: 5 })).toBe("p(95) of the last 1 s was 5 ms (limit 5 ms)");
    expect(liveBreach(ten, 0, 1_000, { latencyP95Ms: 5.1 })).toBeNull();
  });

  it("holds again on a window with requests and none breaking it", () => {
    const samples = recorded([{ atMs: 100, durationMs: 5, failed: true }, { atMs: 2_100, durationMs: 5 }]);
    expect(sloHolds(samples, 0, 1_000, { errorRate: 0 })).toBe(false);
    expect(sloHolds(samples, 2_000, 3_000, { errorRate: 0 })).toBe(true);
    expect(sloHolds(samples, 5_000, 6_000, { errorRate: 0 })).toBe(false);
  });
});
