import { describe, expect, it } from "vitest";
import { judge, type DrillFacts } from "../../../chaos/drills/judge.ts";
import { ledgerChecks, referenceChecks } from "../../../chaos/drills/integrity.ts";
import { compareLedger, measureRpo, type RtoMeasurement } from "../../../chaos/drills/recovery-metrics.ts";
import type { LedgerEntry } from "../../../chaos/drills/ledger.ts";

const limits = { rtoMs: 60_000, rpoMs: 5_000 };
const disasterAt = Date.parse("2026-01-15T10:00:00.000Z");
const reference = { rows: 200, checksum: "9f2c" };

/** Facts of a drill that wrote every 100 ms for 5 s; writes 1..`survivors` were found after the restore. */
function ledgerFacts(survivors: number[], acknowledged = 50) {
  const entries: LedgerEntry[] = Array.from({ length: acknowledged }, (_, index) => ({ seq: index + 1, sentAt: disasterAt - 5000 + index * 100, ackedAt: disasterAt - 5000 + index * 100 + 4 }));
  const comparison = compareLedger(entries, survivors);
  return { comparison, rpo: measureRpo({ disasterAt, comparison, firstWriteAt: entries[0]!.sentAt, cadenceMs: 100 }) };
}

const firstSeqs = (count: number): number[] => Array.from({ length: count }, (_, index) => index + 1);

const rtoOf = (ms: number): RtoMeasurement => ({ ms, firstSuccessAt: disasterAt + ms, precisionMs: 500 });

/** A drill that went well: restored in 12 s, every acknowledged write survived, reference data intact. */
function passingFacts(): DrillFacts {
  const { comparison, rpo } = ledgerFacts(firstSeqs(50));
  return {
    interrupted: false,
    disasterStarted: true,
    restoreSucceeded: true,
    rto: rtoOf(12_000),
    hasWriteProbe: true,
    rpo,
    integrity: [...referenceChecks(reference, reference), ...ledgerChecks(comparison)],
  };
}

const verdicts = (facts: DrillFacts) => judge(facts, limits).checks.map((check) => [check.name, check.verdict]);

describe("judging a drill from its recorded facts", () => {
  it("passes when the restore worked, RTO and RPO are inside their limits and the data is intact", () => {
    const judgement = judge(passingFacts(), limits);
    expect(judgement).toMatchObject({ verdict: "pass", exitCode: 0, rto: { verdict: "pass" }, rpo: { verdict: "pass" } });
    expect(judgement.checks).toEqual([
      { name: "restore completed", kind: "drill", observed: 1, limit: 1, unit: "count", verdict: "pass", reason: "the restore step succeeded" },
      { name: "RTO < 1 min 00 s", kind: "drill", observed: 12, limit: 60, unit: "s", verdict: "pass", reason: "RTO 12.0 s is inside the target of 1 min 00 s" },
      { name: "RPO < 5.0 s", kind: "drill", observed: 0.096, limit: 5, unit: "s", verdict: "pass", reason: "RPO 96 ms is inside the target of 5.0 s" },
      { name: "reference row count", kind: "drill", observed: 200, limit: 200, unit: "count", verdict: "pass", reason: "200 rows, as loaded" },
      { name: "reference checksum", kind: "drill", observed: 1, limit: 1, unit: "count", verdict: "pass", reason: "content identical to the data set loaded before the disaster" },
      { name: "ledger has no holes", kind: "drill", observed: 0, limit: 0, unit: "count", verdict: "pass", reason: "50 of 50 acknowledged writes survived as one unbroken prefix" },
    ]);
  });

  it("fails when the service came back after the RTO limit", () => {
    const judgement = judge({ ...passingFacts(), rto: rtoOf(90_000) }, limits);
    expect(judgement).toMatchObject({ verdict: "fail", exitCode: 1, rto: { verdict: "fail", reason: "RTO 1 min 30 s exceeds the target of 1 min 00 s" } });
    expect(verdicts({ ...passingFacts(), rto: rtoOf(90_000) })).toContainEqual(["RTO < 1 min 00 s", "fail"]);
  });

  it("fails when the acknowledged writes lost reach back further than the RPO limit", () => {
    // Only writes 1..10 survived: the newest was acknowledged about 4.1 s before the disaster.
    const { comparison, rpo } = ledgerFacts(firstSeqs(10));
    const facts: DrillFacts = { ...passingFacts(), rpo, integrity: [...referenceChecks(reference, reference), ...ledgerChecks(comparison)] };
    expect(judge(facts, { ...limits, rpoMs: 2_000 })).toMatchObject({ verdict: "fail", exitCode: 1, rpo: { verdict: "fail", reason: "RPO 4.1 s exceeds the target of 2.0 s" } });
    // Losing a tail of acknowledged writes is what RPO measures: inside a looser limit, the drill passes.
    expect(comparison.lostSeqs).toHaveLength(40);
    expect(judge(facts, limits).verdict).toBe("pass");
  });

  it("fails when acknowledged writes are missing before the newest survivor (a hole in the ledger)", () => {
    const { comparison, rpo } = ledgerFacts([1, 2, 3, 5, 6, 7, 8, 9, 10]);
    const facts: DrillFacts = { ...passingFacts(), rpo, integrity: [...referenceChecks(reference, reference), ...ledgerChecks(comparison)] };
    const judgement = judge(facts, { ...limits, rpoMs: 10_000 });
    expect(judgement).toMatchObject({ verdict: "fail", exitCode: 1, rpo: { verdict: "pass" } });
    expect(judgement.checks.find((check) => check.name === "ledger has no holes")).toMatchObject({ observed: 1, verdict: "fail", reason: "acknowledged writes missing before the newest survivor: 4" });
    // The service answered, but with the wrong data: that is no recovery.
    expect(judgement.rto).toEqual({ verdict: "fail", reason: "RTO not reached: the service answered but its data did not pass the integrity checks" });
  });

  it("fails when the reference data differs after the restore", () => {
    const facts: DrillFacts = { ...passingFacts(), integrity: [...referenceChecks(reference, { rows: 199, checksum: "0000" }), ...ledgerChecks(ledgerFacts(firstSeqs(50)).comparison)] };
    expect(verdicts(facts)).toEqual([
      ["restore completed", "pass"],
      ["RTO < 1 min 00 s", "fail"],
      ["RPO < 5.0 s", "pass"],
      ["reference row count", "fail"],
      ["reference checksum", "fail"],
      ["ledger has no holes", "pass"],
    ]);
    expect(judge(facts, limits).exitCode).toBe(1);
  });

  it("fails every recovery check when the restore failed, and says RTO and RPO were not measured", () => {
    const facts: DrillFacts = {
      ...passingFacts(),
      restoreSucceeded: false,
      rto: null,
      rpo: null,
      integrity: [...referenceChecks(reference, null, "the restore failed"), ...ledgerChecks(null, "the restore failed")],
    };
    const judgement = judge(facts, limits);
    expect(judgement).toMatchObject({
      verdict: "fail",
      exitCode: 1,
      rto: { verdict: "fail", reason: "RTO not measured: the restore failed" },
      rpo: { verdict: "fail", reason: "RPO not measured: the restore failed" },
    });
    expect(judgement.checks.every((check) => check.verdict === "fail")).toBe(true);
    expect(judgement.checks.filter((check) => check.unit === "s").map((check) => check.observed)).toEqual([null, null]);
  });

  it("fails the RTO when the service never answered after the disaster", () => {
    const judgement = judge({ ...passingFacts(), rto: null }, limits);
    expect(judgement.rto).toEqual({ verdict: "fail", reason: "RTO not measured: no successful availability check after the disaster" });
  });

  it("has no RPO check, and an RPO of no data, for a drill without a write probe", () => {
    const facts: DrillFacts = { ...passingFacts(), hasWriteProbe: false, rpo: null, integrity: [] };
    const judgement = judge(facts, limits);
    expect(judgement).toMatchObject({ verdict: "pass", exitCode: 0, rpo: { verdict: "no-data", reason: "RPO not measured: the drill has no write probe" } });
    expect(judgement.checks.map((check) => check.name)).toEqual(["restore completed", "RTO < 1 min 00 s"]);
  });

  it("is an error (exit 3) with no checks when the drill stopped before the disaster", () => {
    const facts: DrillFacts = { ...passingFacts(), preparationError: "initdb failed", disasterStarted: false, restoreSucceeded: false, rto: null, rpo: null, integrity: [] };
    expect(judge(facts, limits)).toMatchObject({ verdict: "error", exitCode: 3, checks: [] });
  });

  it("is aborted (exit 130) when interrupted, whatever else happened", () => {
    expect(judge({ ...passingFacts(), interrupted: true }, limits)).toMatchObject({ verdict: "aborted", exitCode: 130 });
    const beforeDisaster: DrillFacts = { ...passingFacts(), interrupted: true, preparationError: "interrupted before the disaster", disasterStarted: false };
    expect(judge(beforeDisaster, limits)).toMatchObject({ verdict: "aborted", exitCode: 130, checks: [] });
  });
});
