import { describe, expect, it } from "vitest";
import type { Clock } from "../../../scripts/core/clock.ts";
import { Ledger, formatRanges, toRanges } from "../../../chaos/drills/ledger.ts";
import { formatMs } from "../../../scripts/core/format.ts";
import { compareLedger, judgeAgainstTarget, measureRpo, measureRto, type ProbeSample } from "../../../chaos/drills/recovery-metrics.ts";

/** A clock the test moves by hand. */
class ManualClock implements Clock {
  constructor(private current: number) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

const start = Date.parse("2026-01-15T10:00:00.000Z");

/** Simulates the write probe: one write per cadence, acknowledged `latencyMs` after it was sent. */
function writeFor(clock: ManualClock, ledger: Ledger, count: number, options: { cadenceMs: number; latencyMs: number; failing?: (seq: number) => boolean }): void {
  for (let index = 0; index < count; index++) {
    const seq = ledger.entries.length + 1;
    const sentAt = clock.now();
    clock.advance(options.latencyMs);
    if (options.failing?.(seq)) ledger.record({ seq, sentAt, error: "connection refused" });
    else ledger.record({ seq, sentAt, ackedAt: clock.now() });
    clock.advance(options.cadenceMs - options.latencyMs);
  }
}

describe("RPO arithmetic", () => {
  it("is the disaster time minus the acknowledgement of the newest surviving write, and lists the lost ones", () => {
    const clock = new ManualClock(start);
    const ledger = new Ledger();
    writeFor(clock, ledger, 50, { cadenceMs: 100, latencyMs: 4 });
    const disasterAt = clock.now();
    // Writes 1..30 were archived; 31..50 were not.
    const comparison = compareLedger(ledger.entries, Array.from({ length: 30 }, (_, index) => index + 1));
    expect(comparison).toMatchObject({ acknowledged: 50, survived: 30, newestSurvivingSeq: 30, holes: [], unacknowledgedSurvivors: [] });
    expect(comparison.lostSeqs).toEqual(Array.from({ length: 20 }, (_, index) => index + 31));
    const rpo = measureRpo({ disasterAt, comparison, firstWriteAt: ledger.entries[0]!.sentAt, cadenceMs: 100 });
    // Write 30 was acknowledged 29 cadences + 4 ms after the start; the disaster came at 50 cadences.
    expect(rpo).toEqual({ ms: 50 * 100 - (29 * 100 + 4), lowerBound: false, precisionMs: 100 });
  });

  it("is within one cadence of zero when every acknowledged write survived", () => {
    const clock = new ManualClock(start);
    const ledger = new Ledger();
    writeFor(clock, ledger, 10, { cadenceMs: 100, latencyMs: 7 });
    const comparison = compareLedger(ledger.entries, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const rpo = measureRpo({ disasterAt: clock.now(), comparison, firstWriteAt: start, cadenceMs: 100 });
    expect(comparison.lostSeqs).toEqual([]);
    expect(rpo?.ms).toBe(93);
    expect(rpo!.ms).toBeLessThan(rpo!.precisionMs);
  });

  it("ignores failed writes, and reports committed-but-unacknowledged survivors separately", () => {
    const clock = new ManualClock(start);
    const ledger = new Ledger();
    writeFor(clock, ledger, 6, { cadenceMs: 100, latencyMs: 5, failing: (seq) => seq === 6 });
    const comparison = compareLedger(ledger.entries, [1, 2, 3, 4, 5, 6]);
    expect(comparison).toMatchObject({ acknowledged: 5, survived: 5, lostSeqs: [], unacknowledgedSurvivors: [6], newestSurvivingSeq: 5 });
  });

  it("flags holes: an acknowledged write missing although a newer one survived", () => {
    const clock = new ManualClock(start);
    const ledger = new Ledger();
    writeFor(clock, ledger, 8, { cadenceMs: 100, latencyMs: 5 });
    const comparison = compareLedger(ledger.entries, [1, 2, 4, 5, 6]);
    expect(comparison.holes).toEqual([3]);
    expect(comparison.lostSeqs).toEqual([3, 7, 8]);
    expect(formatRanges(toRanges(comparison.lostSeqs))).toBe("3, 7-8");
  });

  it("is a lower bound reaching back to the first write when nothing survived", () => {
    const clock = new ManualClock(start);
    const ledger = new Ledger();
    writeFor(clock, ledger, 20, { cadenceMs: 100, latencyMs: 5 });
    clock.advance(250);
    const comparison = compareLedger(ledger.entries, []);
    const rpo = measureRpo({ disasterAt: clock.now(), comparison, firstWriteAt: ledger.entries[0]!.sentAt, cadenceMs: 100 });
    expect(rpo).toEqual({ ms: 20 * 100 + 250, lowerBound: true, precisionMs: 100 });
  });

  it("is not measured when no write was ever acknowledged", () => {
    const comparison = compareLedger([{ seq: 1, sentAt: start, error: "refused" }], []);
    expect(measureRpo({ disasterAt: start + 1000, comparison, firstWriteAt: start, cadenceMs: 100 })).toBeNull();
  });
});

describe("RTO arithmetic", () => {
  const probe = (clock: ManualClock, ok: boolean, latencyMs = 3): ProbeSample => {
    const startedAt = clock.now();
    clock.advance(latencyMs);
    return { startedAt, at: clock.now(), ok, latencyMs };
  };

  it("is the first success of a check begun after the disaster, minus the disaster time", () => {
    const clock = new ManualClock(start);
    const samples: ProbeSample[] = [];
    for (let index = 0; index < 4; index++) {
      samples.push(probe(clock, true));
      clock.advance(497);
    }
    const disasterAt = clock.now() - 100;
    for (let index = 0; index < 6; index++) {
      samples.push(probe(clock, false, 20));
      clock.advance(480);
    }
    const recovered = probe(clock, true, 12);
    samples.push(recovered, probe(clock, true));
    const rto = measureRto({ disasterAt, samples, intervalMs: 500 });
    expect(rto).toEqual({ ms: recovered.at - disasterAt, firstSuccessAt: recovered.at, precisionMs: 500 });
    expect(rto?.ms).toBe(100 + 6 * 500 + 12);
  });

  it("does not count a check that began before the disaster and answered after it", () => {
    const clock = new ManualClock(start);
    const straddling = probe(clock, true, 300);
    const disasterAt = straddling.startedAt + 100;
    clock.advance(200);
    const later = probe(clock, true, 10);
    expect(measureRto({ disasterAt, samples: [straddling, later], intervalMs: 500 })?.firstSuccessAt).toBe(later.at);
  });

  it("does not count answers while the disaster action still runs (a server draining its connections)", () => {
    const clock = new ManualClock(start);
    const disasterAt = clock.now();
    const draining = probe(clock, true, 5);
    clock.advance(400);
    const recoveryFrom = clock.now();
    clock.advance(1000);
    const recovered = probe(clock, true, 5);
    const rto = measureRto({ disasterAt, recoveryFrom, samples: [draining, recovered], intervalMs: 500 });
    expect(rto).toEqual({ ms: recovered.at - disasterAt, firstSuccessAt: recovered.at, precisionMs: 500 });
  });

  it("is not measured when the service never came back", () => {
    const clock = new ManualClock(start);
    const samples = [probe(clock, true), probe(clock, false), probe(clock, false)];
    expect(measureRto({ disasterAt: samples[1]!.startedAt, samples, intervalMs: 500 })).toBeNull();
  });
});

describe("targets", () => {
  it("passes strictly inside the objective, fails at or over it, and fails when nothing was measured", () => {
    expect(judgeAgainstTarget("RTO", 14_399_999, 14_400_000, "-").verdict).toBe("pass");
    expect(judgeAgainstTarget("RTO", 14_400_000, 14_400_000, "-")).toEqual({ verdict: "fail", reason: "RTO 4 h 00 min exceeds the target of 4 h 00 min" });
    expect(judgeAgainstTarget("RPO", null, 900_000, "the restore failed")).toEqual({ verdict: "fail", reason: "RPO not measured: the restore failed" });
  });

  it("formats figures for people", () => {
    expect([formatMs(850), formatMs(12_340), formatMs(59_600), formatMs(245_000), formatMs(7_380_000)]).toEqual(["850 ms", "12.3 s", "59.6 s", "4 min 05 s", "2 h 03 min"]);
  });
});
