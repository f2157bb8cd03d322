import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeHtmlReport } from "../../reports/html/index.ts";
import { compareWithHistory, comparisonFileName, defaultRegressionPolicy } from "../../reports/run-history/index.ts";
import { summarySchema } from "../../reports/summary-schema.ts";
import { PerSecondAggregator, timeSeriesFileName } from "../../reports/timeseries/index.ts";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { chartPixels, openInChromium } from "../support/headless-chromium.ts";
import { runCli, temporaryReportsRoot } from "../support/run-cli.ts";
import { fakeRun, noisyHistory } from "../unit/reports/run-summaries.ts";

/** Screenshots are kept for people to look at (CI can upload dist/test-artifacts/). */
const artifactsDir = repoPath("dist", "test-artifacts");

async function screenshot(page: import("playwright-core").Page, name: string): Promise<string> {
  await mkdir(artifactsDir, { recursive: true });
  const path = join(artifactsDir, name);
  await page.screenshot({ path, fullPage: true });
  return path;
}

describe("report.html in headless Chromium", () => {
  it("of a real run (bulwark run smoke): opens without errors, draws every chart", async () => {
    const reports = temporaryReportsRoot();
    const { code, stderr } = await runCli(["run", "smoke", "--out", reports]);
    expect(code, stderr).toBe(0);
    const runId = readdirSync(reports).find((entry) => /^\d/.test(entry))!;
    const runDirectory = join(reports, runId);
    const summary = summarySchema.parse(JSON.parse(readFileSync(join(runDirectory, "summary.json"), "utf8")));
    expect(summary.steps[0]!.artifacts.timeseries).toBe("timeseries-smoke.json");
    expect(existsSync(join(reports, "history", `${runId}.json`))).toBe(true);

    await using opened = await openInChromium(join(runDirectory, "report.html"));
    const { page, problems } = opened;
    expect(await page.locator("h1").innerText()).toMatch(/bulwark run smoke\s+PASS/);
    expect(await page.locator("table.checks tbody tr").count()).toBe(summary.steps[0]!.checks.length);
    const charts = await chartPixels(page);
    const endpoints = summary.steps[0]!.endpoints!.map((endpoint) => endpoint.name);
    expect(charts.filter((chart) => chart.chart.startsWith("endpoint-latency/")).length).toBeGreaterThanOrEqual(endpoints.length);
    for (const chart of charts) expect(chart.drawn, chart.chart).toBe(true);
    const measured = ["p95/0", "rate/0", ...endpoints.map((endpoint) => `endpoint-latency/0/${endpoint}`)];
    expect(charts.map((chart) => chart.chart)).toEqual(expect.arrayContaining(measured));
    for (const chart of charts.filter((entry) => measured.includes(entry.chart))) {
      expect(chart.colouredPixels, chart.chart).toBeGreaterThan(50);
    }
    const shot = await screenshot(page, "report-run-smoke.png");
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    expect(problems).toEqual([]);
  });

  it("shades fault and drill windows, shows the replica timeline, and the baseline", async () => {
    const runDirectory = await mkdtemp(join(tmpdir(), "bulwark-report-test-"));
    const history = noisyHistory(6, 100, 0.02);
    const summary = fakeRun({ day: 30, p95: 130, p99: 150 });
    const start = Math.floor(Date.parse(summary.startedAt) / 1000);
    const faultStart = start + 40;
    const faultEnd = start + 70;

    const aggregator = new PerSecondAggregator();
    for (let second = 0; second < 120; second++) {
      const slow = start + second >= faultStart && start + second < faultEnd;
      for (let i = 0; i < 50; i++) {
        for (const endpoint of ["list-items", "get-item"]) {
          aggregator.add("http_reqs", start + second, 1, endpoint);
          aggregator.add("http_req_duration", start + second, (slow ? 180 : 40) + i, endpoint);
          aggregator.add("http_req_failed", start + second, slow && i < 3 ? 1 : 0, endpoint);
        }
      }
      aggregator.add("vus", start + second, slow ? 40 : 12, null);
    }
    const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
    await writeFile(join(runDirectory, timeSeriesFileName("browse-catalog")), JSON.stringify(aggregator.finish()));
    await writeFile(
      join(runDirectory, "phases.json"),
      JSON.stringify([
        { name: "pod-kill catalog", kind: "fault", start: iso(faultStart), end: iso(faultEnd) },
        { name: "restore", kind: "drill", start: iso(start + 85), end: iso(start + 105) },
      ]),
    );
    await writeFile(
      join(runDirectory, "replicas.json"),
      JSON.stringify([{ target: "deployment/catalog", samples: Array.from({ length: 13 }, (_, i) => ({ time: iso(start + i * 10), desired: i >= 4 && i < 9 ? 5 : 2, ready: i >= 5 && i < 10 ? 5 : 2 })) }]),
    );
    await writeFile(join(runDirectory, comparisonFileName), JSON.stringify(compareWithHistory(summary, history, defaultRegressionPolicy)));
    await writeHtmlReport(runDirectory, summary);

    await using opened = await openInChromium(join(runDirectory, "report.html"));
    const { page, problems } = opened;
    expect(await page.locator("#baseline .headline").innerText()).toMatch(/regressed against the median of the last 5 passing runs/);
    expect(await page.locator("#baseline tr.regression").count()).toBe(1);
    expect(await page.locator("#phases li").allInnerTexts()).toEqual([expect.stringMatching(/^pod-kill catalog \(fault/), expect.stringMatching(/^restore \(drill/)]);
    const charts = await chartPixels(page);
    expect(charts.map((chart) => chart.chart)).toEqual(["p95/0", "rate/0", "errors/0", "vus/0", "endpoint-latency/0/get-item", "endpoint-latency/0/list-items", "replicas/0"]);
    for (const chart of charts) {
      expect(chart.drawn, chart.chart).toBe(true);
      expect(chart.colouredPixels, chart.chart).toBeGreaterThan(50);
      expect(chart.faintRedPixels, `${chart.chart}: fault window shaded`).toBeGreaterThan(2000);
    }
    await screenshot(page, "report-phases-replicas.png");
    expect(problems).toEqual([]);
  });
  it("shades a step's own fault phase, draws what it watched and lists its timeline (no phases.json)", async () => {
    const runDirectory = await mkdtemp(join(tmpdir(), "bulwark-report-step-phases-"));
    const base = fakeRun({ day: 31, p95: 120, p99: 150 });
    const start = Math.floor(Date.parse(base.startedAt) / 1000);
    const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
    const aggregator = new PerSecondAggregator();
    for (let second = 0; second < 60; second++) {
      for (let i = 0; i < 20; i++) {
        aggregator.add("http_reqs", start + second, 1, "list-items");
        aggregator.add("http_req_duration", start + second, 40 + i, "list-items");
        aggregator.add("http_req_failed", start + second, 0, "list-items");
      }
    }
    await writeFile(join(runDirectory, timeSeriesFileName("browse-catalog")), JSON.stringify(aggregator.finish()));
    const summary = {
      ...base,
      steps: [
        {
          ...base.steps[0]!,
          phases: [
            { name: "before", kind: "before" as const, startedAt: iso(start), endedAt: iso(start + 20) },
            { name: "fault:pod-kill", kind: "fault" as const, startedAt: iso(start + 20), endedAt: iso(start + 35) },
            { name: "after", kind: "after" as const, startedAt: iso(start + 35), endedAt: iso(start + 60) },
          ],
          timeline: [
            { at: iso(start + 20), event: "fault-injected", detail: "PodChaos bulwark-demo/pod-kill" },
            { at: iso(start + 27), event: "replacement-ready", detail: "pod demo-target-x" },
          ],
          series: [{ name: "ready replicas", unit: "replicas", points: [[start * 1000, 3], [(start + 21) * 1000, 2], [(start + 27) * 1000, 3]] as [number, number][] }],
        },
      ],
    };
    await writeHtmlReport(runDirectory, summary);

    await using opened = await openInChromium(join(runDirectory, "report.html"));
    const { page, problems } = opened;
    expect(await page.locator("#phases li").allInnerTexts()).toEqual([expect.stringMatching(/^fault:pod-kill \(fault/)]);
    expect(await page.locator("table.timeline tbody tr").count()).toBe(2);
    const charts = await chartPixels(page);
    const extra = charts.find((chart) => chart.chart === "extra/0");
    expect(extra?.drawn).toBe(true);
    expect(extra!.colouredPixels).toBeGreaterThan(50);
    const p95 = charts.find((chart) => chart.chart === "p95/0")!;
    expect(p95.faintRedPixels, "fault window shaded from the step's phases").toBeGreaterThan(2000);
    await screenshot(page, "report-step-phases.png");
    expect(problems).toEqual([]);
  });
});
