import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  FolderHistoryStore,
  applyComparison,
  checkAgainstHistory,
  compareWithHistory,
  compareWithRun,
  defaultRegressionPolicy,
  openHistoryStore,
  regressionPolicySchema,
} from "../../../reports/run-history/index.ts";
import { UsageError } from "../../../scripts/core/errors.ts";
import { fakeRun, noisyHistory } from "./run-summaries.ts";

const policy = defaultRegressionPolicy;
const p95Of = (comparison: ReturnType<typeof compareWithHistory>) => comparison.metrics.find((metric) => metric.metric === "p95")!;

describe("baseline comparison on recorded histories", () => {
  it("flags a 20 % p95 regression against a steady history", () => {
    const history = noisyHistory(8, 100, 0.02);
    const current = fakeRun({ day: 30, p95: 120, p99: 150 });
    const comparison = compareWithHistory(current, history, policy);
    expect(comparison.status).toBe("regression");
    const p95 = p95Of(comparison);
    expect(p95.status).toBe("regression");
    expect(p95.samples).toBe(5);
    expect(p95.baseline).toBeGreaterThan(97);
    expect(p95.baseline).toBeLessThan(103);
    expect(p95.change).toBeGreaterThan(0.15);
    expect(p95.reason).toMatch(/^regression: 120 ms against a baseline of/);
    expect(comparison.metrics.find((metric) => metric.metric === "p99")!.status).toBe("ok");
    expect(comparison.metrics.find((metric) => metric.metric === "errorRate")!.status).toBe("ok");
  });

  it("does not flag a change that stays within the run-to-run spread of the history, even above the relative limit", () => {
    const history = [82, 118, 95, 124, 88, 112, 100].map((p95, day) => fakeRun({ day, p95, p99: 150 }));
    const current = fakeRun({ day: 30, p95: 118, p99: 150 });
    const comparison = compareWithHistory(current, history, policy);
    const p95 = p95Of(comparison);
    expect(p95.change).toBeGreaterThan(policy.relativeLimit);
    expect(p95.spread).toBeGreaterThan(10);
    expect(p95.status).toBe("ok");
    expect(comparison.status).toBe("ok");
    // The same history still catches a change beyond its spread.
    expect(p95Of(compareWithHistory(fakeRun({ day: 30, p95: 200, p99: 150 }), history, policy)).status).toBe("regression");
  });

  it("does not flag noise inside the relative limit on a steady history", () => {
    const history = noisyHistory(6, 100, 0.01);
    const comparison = compareWithHistory(fakeRun({ day: 30, p95: 106 }), history, policy);
    expect(p95Of(comparison).status).toBe("ok");
  });

  it("reports fewer passing runs than needed as insufficient history, not as a pass", () => {
    const history = [fakeRun({ day: 1, p95: 100 }), fakeRun({ day: 2, p95: 100 }), fakeRun({ day: 3, p95: 50, verdict: "fail" })];
    const current = fakeRun({ day: 30, p95: 300 });
    const comparison = compareWithHistory(current, history, policy);
    expect(comparison.status).toBe("insufficient-history");
    expect(comparison.baseline.runIds).toHaveLength(2);
    expect(comparison.headline).toMatch(/^insufficient history: 2 passing run\(s\) of gate nightly on local found, 3 needed/);
    expect(comparison.metrics.every((metric) => metric.status === "insufficient-history")).toBe(true);
    const applied = applyComparison(current, comparison, { ...policy, failGate: true });
    const checks = applied.steps[0]!.checks;
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ kind: "regression", verdict: "no-data", observed: 2, limit: 3 });
  });

  it("builds the baseline only from passing runs of the same suite and environment that ran before", () => {
    const history = [
      ...noisyHistory(5, 100, 0.01),
      fakeRun({ day: 10, p95: 400, verdict: "fail" }),
      fakeRun({ day: 11, p95: 400, environment: "staging" }),
      fakeRun({ day: 12, p95: 400, name: "release" }),
      fakeRun({ day: 40, p95: 400 }),
    ];
    const comparison = compareWithHistory(fakeRun({ day: 30, p95: 101 }), history, policy);
    expect(comparison.baseline.runIds).toHaveLength(5);
    expect(p95Of(comparison).baseline).toBeLessThan(102);
    expect(comparison.status).toBe("ok");
  });

  it("does not call a tiny error rate against a zero baseline a regression", () => {
    const history = noisyHistory(5, 100, 0.01);
    const slight = compareWithHistory(fakeRun({ day: 30, p95: 100, errorRate: 0.0005 }), history, policy);
    expect(slight.metrics.find((metric) => metric.metric === "errorRate")!.status).toBe("ok");
    const clear = compareWithHistory(fakeRun({ day: 30, p95: 100, errorRate: 0.02 }), history, policy);
    expect(clear.metrics.find((metric) => metric.metric === "errorRate")!.status).toBe("regression");
  });

  it("compares with one chosen run by the relative limit alone", () => {
    const baseline = fakeRun({ day: 1, p95: 100 });
    expect(p95Of(compareWithRun(fakeRun({ day: 2, p95: 115 }), baseline, policy)).status).toBe("regression");
    expect(p95Of(compareWithRun(fakeRun({ day: 2, p95: 105 }), baseline, policy)).status).toBe("ok");
  });
});

describe("regression checks in the gate", () => {
  const history = noisyHistory(6, 100, 0.02);
  const current = fakeRun({ day: 30, p95: 125, p99: 150 });

  it("fails the run when the suite says a regression fails the gate", () => {
    const gating = regressionPolicySchema.parse({ failGate: true });
    const applied = applyComparison(current, compareWithHistory(current, history, gating), gating);
    expect(applied.verdict).toBe("fail");
    expect(applied.exitCode).toBe(1);
    const failed = applied.steps[0]!.checks.filter((check) => check.verdict === "fail");
    expect(failed.map((check) => check.name)).toEqual(["list-items p95 vs baseline"]);
    expect(failed[0]).toMatchObject({ kind: "regression", metric: "http_req_duration{endpoint:list-items}", observed: 125, unit: "ms" });
  });

  it("only reports the regression when the suite does not gate on it", () => {
    const applied = applyComparison(current, compareWithHistory(current, history, policy), policy);
    expect(applied.verdict).toBe("pass");
    expect(applied.exitCode).toBe(0);
    const flagged = applied.steps[0]!.checks.find((check) => check.name === "list-items p95 vs baseline")!;
    expect(flagged.verdict).toBe("pass");
    expect(flagged.reason).toMatch(/^regression: .*reported only: regression.failGate is false/);
  });

  it("keeps an aborted run aborted", () => {
    const aborted = { ...current, verdict: "aborted" as const, exitCode: 130 };
    const gating = regressionPolicySchema.parse({ failGate: true });
    const applied = applyComparison(aborted, compareWithHistory(aborted, history, gating), gating);
    expect(applied.verdict).toBe("aborted");
    expect(applied.exitCode).toBe(130);
  });
});

describe("history store", () => {
  it("keeps one file per run, lists them oldest first and skips unreadable entries", async () => {
    const folder = await mkdtemp(join(tmpdir(), "bulwark-history-test-"));
    try {
      const store = openHistoryStore(folder);
      const runs = noisyHistory(3, 100, 0.05);
      for (const run of [...runs].reverse()) await store.append(run);
      await writeFile(join(folder, "broken.json"), "{ not json");
      const listing = await store.list();
      expect(listing.runs.map((run) => run.runId)).toEqual(runs.map((run) => run.runId));
      expect(listing.unreadable).toEqual([join(folder, "broken.json")]);
      expect((await store.get(runs[1]!.runId))?.runId).toBe(runs[1]!.runId);
      expect(await store.get("../../etc/passwd")).toBeUndefined();

      const gated = await checkAgainstHistory(fakeRun({ day: 30, p95: 100 }), store, policy, join(folder, "comparison.out"));
      expect(gated.comparison.status).toBe("ok");
      expect(gated.comparison.baseline.runIds).toHaveLength(3);
      expect(openHistoryStore(`file://${folder}`)).toBeInstanceOf(FolderHistoryStore);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("rejects an unknown backend with a usage error", () => {
    expect(() => openHistoryStore("s3://bucket/history")).toThrow(UsageError);
    expect(() => openHistoryStore("s3://bucket/history")).toThrow(/unknown history backend 's3:\/\/'/);
  });
});

describe("what a baseline is made of", () => {
  it("never includes an invalid run (load generator saturated), however good its figures", () => {
    const history = [...noisyHistory(5, 100, 0.01), fakeRun({ day: 20, p95: 10, verdict: "invalid" })];
    const comparison = compareWithHistory(fakeRun({ day: 30, p95: 101 }), history, policy);
    expect(comparison.baseline.runIds).toHaveLength(5);
    expect(comparison.baseline.runIds.some((id) => id.endsWith("-0020"))).toBe(false);
    expect(comparison.status).toBe("ok");
  });

  it("says so when the baseline holds runs judged with k6's interpolated percentiles", () => {
    const history = [fakeRun({ day: 1, p95: 100, k6: true }), fakeRun({ day: 2, p95: 100, k6: true }), fakeRun({ day: 3, p95: 100 }), fakeRun({ day: 4, p95: 100 }), fakeRun({ day: 5, p95: 100 })];
    const comparison = compareWithHistory(fakeRun({ day: 30, p95: 101 }), history, policy);
    expect(comparison.baseline.interpolatedPercentileRuns).toHaveLength(2);
    expect(comparison.headline).toMatch(/^no regression in \d+ metrics against the median of the last 5 passing runs .*\(baseline includes 2 of 5 runs judged with interpolated percentiles \(k6\), not exact counts\)$/);
    const onEngineOnly = compareWithHistory(fakeRun({ day: 30, p95: 101 }), history.slice(2), policy);
    expect(onEngineOnly.baseline.interpolatedPercentileRuns).toEqual([]);
    expect(onEngineOnly.headline).not.toMatch(/interpolated/);
  });

  it("names a chosen baseline run that did not pass", () => {
    const comparison = compareWithRun(fakeRun({ day: 2, p95: 100 }), fakeRun({ day: 1, p95: 100, verdict: "invalid" }), policy);
    expect(comparison.headline).toMatch(/\(baseline run \S+-0001 is invalid, not a passing run\)$/);
  });
});
