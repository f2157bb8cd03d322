import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadReportInput, renderReportHtml } from "../../../reports/html/index.ts";
import { fakeRun } from "./run-summaries.ts";

const assets = { chartLibraryJs: "/* chart library */", chartLibraryCss: "/* css */", clientJs: "/* client */" };

describe("report.html rendering", () => {
  it("cannot be broken out of by names that look like markup", async () => {
    const hostile = "</script><script>alert(1)</script>";
    const summary = fakeRun({ day: 1, p95: 100 });
    summary.steps[0]!.name = hostile;
    summary.steps[0]!.checks.push({ name: hostile, kind: "threshold", observed: 1, limit: 2, unit: "ms", verdict: "fail", reason: "<b>why</b>" });
    const directory = await mkdtemp(join(tmpdir(), "bulwark-render-test-"));
    try {
      const html = renderReportHtml(await loadReportInput(directory, summary), assets);
      expect(html).not.toContain("<script>alert(1)");
      expect(html).not.toContain("<b>why</b>");
      expect(html).toContain("&lt;/script&gt;&lt;script&gt;alert(1)");
      expect(html.match(/<script/g)).toHaveLength(3);
      // The chart data survives as JSON the page can parse back.
      const json = /<script type="application\/json" id="bulwark-chart-data">(.*?)<\/script>/s.exec(html)![1]!;
      expect(JSON.parse(json).steps[0].name).toBe(hostile);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it("names an unreadable phases.json in the report instead of failing, and reads replicas.json", async () => {
    const directory = await mkdtemp(join(tmpdir(), "bulwark-render-test-"));
    try {
      await writeFile(join(directory, "phases.json"), JSON.stringify([{ name: "pod-kill", start: "yesterday", end: "today", kind: "fault" }]));
      await writeFile(join(directory, "replicas.json"), JSON.stringify([{ target: "deployment/catalog", samples: [{ time: "2026-11-22T03:00:00Z", desired: 2, ready: 1 }] }]));
      const input = await loadReportInput(directory, fakeRun({ day: 1, p95: 100 }));
      expect(input.phases).toEqual([]);
      expect(input.warnings).toEqual([expect.stringMatching(/^phases\.json ignored: 0\.start: /)]);
      expect(input.replicas[0]!.target).toBe("deployment/catalog");
      const html = renderReportHtml(input, assets);
      expect(html).toContain('<p class="warnings">phases.json ignored: 0.start: ');
      expect(html).toContain('data-chart="replicas" data-timeline="0"');
      expect(html).toContain("No metric time series was recorded for this step.");
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
