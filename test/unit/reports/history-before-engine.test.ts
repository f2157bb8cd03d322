import { cp, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoPath } from "../../../scripts/core/repo-root.ts";
import { engineLabel } from "../../../reports/summary-schema.ts";
import { FolderHistoryStore, checkAgainstHistory, defaultRegressionPolicy } from "../../../reports/run-history/index.ts";
import { fakeRun } from "./run-summaries.ts";

describe("a run history written before the load engine (k6 era)", () => {
  it("still reads, and serves as the baseline of a run on the engine", async () => {
    const folder = await mkdtemp(join(tmpdir(), "bulwark-old-history-"));
    await cp(repoPath("test", "fixtures", "history-before-engine"), folder, { recursive: true });
    const store = new FolderHistoryStore(folder);
    const { runs, unreadable } = await store.list();
    expect(unreadable).toEqual([]);
    expect(runs).toHaveLength(5);
    expect(runs.map((run) => engineLabel(run))).toEqual(Array(5).fill("k6 v1.8.1"));

    const current = { ...fakeRun({ day: 60, p95: 180 }), k6Version: undefined, engineVersion: "bulwark-engine 0.1.0+0123456789abcdef" };
    current.steps[0]!.endpoints = [{ ...current.steps[0]!.endpoints![0]!, latencyMs: { avg: 100, p50: 90, p90: 170, p95: 180, p99: 200, max: 300 } }];
    const { comparison } = await checkAgainstHistory(current, store, defaultRegressionPolicy);
    const p95 = comparison.metrics.find((metric) => metric.endpoint === "list-items" && metric.metric === "p95");
    expect(p95?.status).toBe("regression");
    expect(comparison.baseline?.runIds).toHaveLength(5);
    // Their verdicts were judged on interpolated percentiles: the comparison says so.
    expect(comparison.baseline.interpolatedPercentileRuns).toHaveLength(5);
    expect(comparison.headline).toMatch(/\(baseline includes 5 of 5 runs judged with interpolated percentiles \(k6\), not exact counts\)$/);
  });
});
