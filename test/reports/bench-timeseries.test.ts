import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { repoPath } from "../../scripts/core/repo-root.ts";

const run = promisify(execFile);

describe("time-series benchmark (npm run bench:timeseries)", () => {
  it("aggregates a synthetic k6 stream and reports throughput and peak memory", async () => {
    const { stdout } = await run(process.execPath, [repoPath("scripts", "bench", "timeseries.mjs"), "--samples", "300000", "--json"], { cwd: repoPath() });
    const result = JSON.parse(stdout) as Record<string, number | string>;
    expect(result.mode).toBe("synthetic");
    expect(result.samples).toBeGreaterThanOrEqual(300_000);
    expect(result.endpoints).toBe(8);
    expect(result.simulatedSeconds).toBeGreaterThan(20);
    for (const figure of ["seconds", "samplesPerSecond", "cpuSeconds", "samplesPerCpuSecond", "peakRssMb"]) expect(result[figure], figure).toBeGreaterThan(0);
  });

  it("has its figures in docs/reports.md", async () => {
    const { readFile } = await import("node:fs/promises");
    const docs = await readFile(repoPath("docs", "reports.md"), "utf8");
    expect(docs).toContain("npm run bench:timeseries");
    expect(docs).toMatch(/\| synthetic, .* \| [\d ]+ \| [\d.]+ s \| [\d.]+ M \| [\d.]+ M \| \d+ MB \|/);
  });
});
