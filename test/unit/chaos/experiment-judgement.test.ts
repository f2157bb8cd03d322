// The pure judgements of a chaos experiment, each on its boundary: probe tolerances, the hypothesis by
// window, the safety limit, the pod-level proofs of injection and recovery, and leftovers of dead runs.
import { describe, expect, it } from "vitest";
import { judgeHypothesis, windowOf, type HypothesisWindow } from "../../../chaos/experiments/hypothesis.ts";
import { leftoverReason, type OwnerFacts } from "../../../chaos/experiments/leftovers.ts";
import { failureProof, failureRecovered, killProof, replacementReady, type PodState } from "../../../chaos/experiments/pod-proof.ts";
import { safetyReading } from "../../../chaos/experiments/safety.ts";
import { probeSchema, type ProbeDefinition } from "../../../chaos/experiments/schema.ts";
import { compare, judgeCount, judgeHttp, judgePrometheus, type ProbeReading } from "../../../chaos/experiments/tolerance.ts";
import type { RequestSamples } from "../../../scripts/core/request-samples.ts";

const probe = (raw: Record<string, unknown>): ProbeDefinition => probeSchema.parse(raw);

describe("probe tolerances", () => {
  it("comparators hold exactly at their boundary", () => {
    expect([compare(1, "<", 1), compare(1, "<=", 1), compare(1, ">", 1), compare(1, ">=", 1), compare(1, "==", 1), compare(1, "!=", 1)]).toEqual([false, true, false, true, true, false]);
  });

  it("http: the status must match and the latency may equal the limit, not exceed it", () => {
    const http = probe({ type: "http", name: "api", path: "/api/items", tolerance: { status: 200, maxLatencyMs: 250 } });
    if (http.type !== "http") throw new Error("http probe expected");
    expect(judgeHttp(http, { status: 200, latencyMs: 250 })).toMatchObject({ holds: true, value: 250 });
    expect(judgeHttp(http, { status: 200, latencyMs: 250.1 })).toMatchObject({ holds: false, detail: "GET /api/items: 200 in 250.1 ms (tolerance: status 200, latency <= 250 ms)" });
    expect(judgeHttp(http, { status: 500, latencyMs: 3 }).holds).toBe(false);
    expect(judgeHttp(http, { status: null, latencyMs: 2000, error: "timeout" })).toMatchObject({ holds: false, value: null, detail: "GET /api/items: no answer (timeout) after 2000 ms" });
  });

  it("k8s: a count inside [min, max]; prometheus: the comparator, and what no data counts as", () => {
    const count = probe({ type: "k8s", name: "ready", check: "pods-ready", tolerance: { min: 2, max: 3 } });
    if (count.type !== "k8s") throw new Error("k8s probe expected");
    expect([1, 2, 3, 4].map((value) => judgeCount(count, value, "Ready pods").holds)).toEqual([false, true, true, false]);
    expect(judgeCount(count, 1, "Ready pods").detail).toBe("1 Ready pods (tolerance: 2 to 3)");
    const query = probe({ type: "prometheus", name: "errors", query: "x", tolerance: { comparator: "<", value: 0.05 } });
    if (query.type !== "prometheus") throw new Error("prometheus probe expected");
    expect(judgePrometheus(query, 0.0499).holds).toBe(true);
    expect(judgePrometheus(query, 0.05).holds).toBe(false);
    expect(judgePrometheus(query, null)).toMatchObject({ holds: false, detail: "x: no data (tolerance: < 0.05; no data counts as fail)" });
    expect(judgePrometheus({ ...query, noData: "pass" }, null).holds).toBe(true);
  });
});

describe("the hypothesis by window", () => {
  const windows: HypothesisWindow[] = [
    { name: "before", kind: "before", startMs: 0, endMs: 100 },
    { name: "fault:kill", kind: "fault", startMs: 100, endMs: 200 },
    { name: "recovery from kill", kind: "recovery", startMs: 200, endMs: 250 },
    { name: "after kill", kind: "after", startMs: 250, endMs: Number.POSITIVE_INFINITY },
  ];
  const reading = (name: string, startedAtMs: number, holds: boolean): ProbeReading => ({ probe: name, startedAtMs, atMs: startedAtMs + 30, holds, value: holds ? 3 : 1, detail: holds ? "3 Ready" : "1 Ready" });
  const ready = probe({ type: "k8s", name: "ready", check: "pods-ready", tolerance: { min: 2 } });
  const relaxed = probe({ type: "k8s", name: "relaxed", check: "pods-ready", during: "may-deviate", tolerance: { min: 2 } });

  it("a reading belongs to the window it was started in (start inclusive, end exclusive)", () => {
    expect([0, 99, 100, 199, 200, 250, 1e12].map((at) => windowOf(windows, at)?.name)).toEqual(["before", "before", "fault:kill", "fault:kill", "recovery from kill", "after kill", "after kill"]);
  });

  it("deviations while recovering are not judged; during a fault only must-hold probes are", () => {
    const readings = [reading("ready", 50, true), reading("ready", 210, false), reading("ready", 260, true), reading("relaxed", 50, true), reading("relaxed", 150, false), reading("relaxed", 260, true)];
    const [strict, lenient] = judgeHypothesis([ready, relaxed], readings, windows);
    expect(strict).toMatchObject({ name: "hypothesis ready", kind: "hypothesis", verdict: "pass", observed: 0, samples: 2 });
    expect(strict!.reason).toContain("before 1, during faults 0, after 1; 1 while recovering, not judged");
    expect(lenient).toMatchObject({ verdict: "pass", samples: 2 });
  });

  it("fails on the first deviation and says where and when; a request sent during the fault answers for the fault", () => {
    const readings = [reading("ready", 50, true), reading("ready", 199, false), reading("ready", 260, false)];
    const [check] = judgeHypothesis([ready], readings, windows);
    expect(check).toMatchObject({ verdict: "fail", observed: 2, beyondLimit: 2, samples: 3 });
    expect(check!.reason).toBe("deviated in 2 of 3 judged readings (before 1, during faults 1, after 1); first during fault:kill at 00:00:00.199: 1 Ready");
    expect(judgeHypothesis([ready], [], windows)[0]).toMatchObject({ verdict: "no-data", observed: null });
  });
});

function samples(requests: { endMs: number; durationMs: number; failed: boolean }[]): RequestSamples {
  const column = (value: (request: (typeof requests)[number]) => number) => ({
    count: requests.length,
    timeMs: Float64Array.from(requests.map((request) => request.endMs)),
    value: Float64Array.from(requests.map(value)),
    endpointIndex: Int32Array.from(requests.map(() => 0)),
  });
  return { endpoints: ["list-items"], durations: column((request) => request.durationMs), failures: column((request) => (request.failed ? 1 : 0)), dropped: 0 };
}

describe("the safety limit", () => {
  const limit = { maxErrorRate: 0.5, windowMs: 1000, minRequests: 4 };
  it("acts above the limit on enough recent requests of the fault, never at it", () => {
    const half = samples([0, 1, 2, 3].map((index) => ({ endMs: 5000 + index * 100, durationMs: 5, failed: index % 2 === 0 })));
    expect(safetyReading(half, limit, 4000, 5500)).toEqual({ requests: 4, failures: 2, rate: 0.5, breached: false });
    const most = samples([0, 1, 2, 3].map((index) => ({ endMs: 5000 + index * 100, durationMs: 5, failed: index !== 3 })));
    expect(safetyReading(most, limit, 4000, 5500)).toMatchObject({ rate: 0.75, breached: true });
    // Too few requests: no decision.
    expect(safetyReading(most, { ...limit, minRequests: 5 }, 4000, 5500).breached).toBe(false);
    // Only requests since the fault began and inside the window count.
    expect(safetyReading(most, limit, 5150, 5500)).toMatchObject({ requests: 2, breached: false });
    expect(safetyReading(most, limit, 4000, 6150)).toMatchObject({ requests: 2 });
  });
});

describe("pod-level proofs", () => {
  const pod = (name: string, uid: string, overrides: Partial<PodState> = {}): PodState => ({ name, uid, ready: true, terminating: false, images: ["app:1"], ...overrides });
  const before = [pod("web-a", "aaaa1111"), pod("web-b", "bbbb2222"), pod("web-c", "cccc3333")];

  it("pod-kill: the recorded pod's UID is gone (or terminating); the replacement is a new UID, Ready, with as many Ready pods as before", () => {
    expect(killProof(before, before, ["ns/web-a"])).toEqual({ proven: false, detail: "pod web-a (uid aaaa1111) is still there" });
    expect(killProof(before, [pod("web-a", "aaaa1111", { terminating: true }), ...before.slice(1)], ["ns/web-a"]).proven).toBe(true);
    expect(killProof(before, before.slice(1), ["ns/web-a"])).toEqual({ proven: true, detail: "pod web-a (uid aaaa1111) deleted" });
    expect(killProof(before, before, ["ns/web-z"]).proven).toBe(false);
    expect(replacementReady(before, before.slice(1)).proven).toBe(false);
    expect(replacementReady(before, [...before.slice(1), pod("web-d", "dddd4444", { ready: false })]).proven).toBe(false);
    expect(replacementReady(before, [...before.slice(1), pod("web-d", "dddd4444")])).toEqual({ proven: true, detail: "replacement web-d (uid dddd4444) Ready; 3 Ready pods (3 before)" });
  });

  it("pod-failure: same UID with a swapped image; recovered when the pod runs its own image again and is Ready", () => {
    const failed = [pod("web-a", "aaaa1111", { images: ["pause:latest"] }), ...before.slice(1)];
    expect(failureProof(before, failed, ["ns/web-a"])).toEqual({ proven: true, detail: "pod web-a keeps uid aaaa1111; its spec runs pause:latest (was app:1)" });
    expect(failureProof(before, before, ["ns/web-a"]).proven).toBe(false);
    expect(failureProof(before, [pod("web-a", "ffff0000", { images: ["pause:latest"] })], ["ns/web-a"]).detail).toBe("pod web-a has a new uid ffff0000 (was aaaa1111)");
    expect(failureRecovered(before, failed, ["ns/web-a"]).proven).toBe(false);
    expect(failureRecovered(before, [pod("web-a", "aaaa1111", { ready: false })], ["ns/web-a"]).proven).toBe(false);
    expect(failureRecovered(before, before, ["ns/web-a"]).proven).toBe(true);
  });
});

describe("leftovers of a run that died", () => {
  const facts: OwnerFacts = { host: "here", isAlive: (pid) => pid === 42, nowMs: Date.parse("2026-01-01T00:10:00Z") };
  const object = (owner: string | undefined, created = "2026-01-01T00:09:50Z", duration = "30s") => ({
    metadata: { name: "x", namespace: "ns", labels: {}, creationTimestamp: created, ...(owner ? { annotations: { "bulwark.dev/owner": owner } } : {}) },
    spec: { selector: { namespaces: ["ns"] }, mode: "one" as const, duration },
  });
  it("is one when its owner on this host is gone, or (owner elsewhere or unknown) when its duration has passed", () => {
    expect(leftoverReason(object("here/42/100"), facts)).toBeUndefined();
    expect(leftoverReason(object("here/43/100"), facts)).toBe("its owner (pid 43 on here) is gone");
    expect(leftoverReason(object("elsewhere/43/100"), facts)).toBeUndefined();
    expect(leftoverReason(object(undefined), facts)).toBeUndefined();
    expect(leftoverReason(object("elsewhere/43/100", "2026-01-01T00:09:00Z"), facts)).toBe("its duration 30s has passed (owner elsewhere/43/100)");
    expect(leftoverReason(object(undefined, "2026-01-01T00:09:00Z"), facts)).toBe("its duration 30s has passed (owner unknown)");
  });
});
