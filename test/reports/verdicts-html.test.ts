import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { summarySchema } from "../../reports/summary-schema.ts";
import { timeSeriesSchema } from "../../reports/timeseries/timeseries-schema.ts";
import { openInChromium } from "../support/headless-chromium.ts";
import { runCli, temporaryReportsRoot } from "../support/run-cli.ts";
import { SloTarget } from "../support/slo-target.ts";
import { writeVerdictConfig } from "../support/verdict-config.ts";

interface Mark {
  time: number;
  value: number;
  x: number;
  y: number;
}

/** Runs in the page: the canvas pixel at (x, y) and around it, is any of them the marks' red? */
const redAround = `(([selector, marks]) => {
  const canvas = document.querySelector(selector + " canvas");
  const context = canvas.getContext("2d");
  return marks.map((mark) => {
    const pixels = context.getImageData(mark.x - 2, mark.y - 2, 5, 5).data;
    for (let i = 0; i < pixels.length; i += 4) if (pixels[i] > 180 && pixels[i + 1] < 90 && pixels[i + 2] < 90 && pixels[i + 3] > 200) return true;
    return false;
  });
})`;

let target: SloTarget | undefined;
afterEach(async () => {
  await target?.close();
  target = undefined;
});

describe("report.html tells the whole-run verdict beside the per-second curve (Chromium)", () => {
  it("marks the seconds above the p95 limit and shows summary.json's exact-count check next to the chart", async () => {
    // Run 1 of the verdict tests: 51 of 1000 list-items requests at 400 ms, here in one burst so that
    // some seconds are above the limit while the whole run fails by the smallest margin.
    target = await SloTarget.start({ "list-items": (index) => (index >= 400 && index < 451 ? { delayMs: 400 } : {}) });
    const reports = temporaryReportsRoot();
    const { code, stderr } = await runCli(["run", "browse-catalog", "--profile", "thousand", "--config", writeVerdictConfig(), "--target", target.url, "--out", reports]);
    expect(code, stderr).toBe(1);
    const directory = join(reports, readdirSync(reports).find((entry) => /^\d/.test(entry))!);
    const summary = summarySchema.parse(JSON.parse(readFileSync(join(directory, "summary.json"), "utf8")));
    const step = summary.steps[0]!;
    const check = step.checks.find((candidate) => candidate.metric === "http_req_duration{endpoint:list-items}" && candidate.expression === "p(95)<200")!;
    expect(check).toMatchObject({ verdict: "fail", beyondLimit: 51, samples: 1000 });
    const series = timeSeriesSchema.parse(JSON.parse(readFileSync(join(directory, step.artifacts.timeseries!), "utf8")));
    const listItems = series.endpoints.find((endpoint) => endpoint.name === "list-items")!;
    const secondsAbove = series.time.filter((_, i) => (listItems.latencyMs.p95[i] ?? 0) > 200);
    expect(secondsAbove.length).toBeGreaterThan(0);
    expect(secondsAbove.length).toBeLessThan(series.time.length);

    await using opened = await openInChromium(join(directory, "report.html"));
    const { page, problems } = opened;
    const figure = page.locator('figure.endpoint-latency[data-endpoint-name="list-items"]');
    const wholeRun = figure.locator('.whole-run-check[data-expression="p(95)<200"]');
    expect(await wholeRun.locator(".reason").innerText()).toBe(check.reason);
    expect(await wholeRun.getAttribute("data-verdict")).toBe("fail");
    expect(await wholeRun.locator(".badge").innerText()).toBe("FAIL");

    const chart = figure.locator(".chart");
    expect(await chart.getAttribute("data-drawn")).toBe("true");
    const marks = JSON.parse((await chart.getAttribute("data-marks")) ?? "null") as Mark[];
    expect(marks.map((mark) => mark.time)).toEqual(secondsAbove);
    for (const mark of marks) expect(mark.value).toBeGreaterThan(200);
    const selector = 'figure.endpoint-latency[data-endpoint-name="list-items"] .chart';
    expect(await page.evaluate(`${redAround}(${JSON.stringify([selector, marks])})`)).toEqual(marks.map(() => true));
    expect(await figure.locator(".marked").innerText()).toMatch(new RegExp(`^${secondsAbove.length} seconds? with p95 above the 200 ms limit \\(red points\\): `));

    // get-item stayed fast: no marks, and its whole-run check passes.
    const getItem = page.locator('figure.endpoint-latency[data-endpoint-name="get-item"]');
    expect(JSON.parse((await getItem.locator(".chart").getAttribute("data-marks")) ?? "null")).toEqual([]);
    expect(await getItem.locator('.whole-run-check[data-expression="p(95)<200"]').getAttribute("data-verdict")).toBe("pass");
    await page.screenshot({ path: join(directory, "verdicts.png"), fullPage: true });
    expect(problems).toEqual([]);
  });
});
