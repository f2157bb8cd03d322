import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadReportInput, renderReportHtml } from "../../../reports/html/index.ts";
import { renderJunit } from "../../../reports/junit.ts";
import { renderMarkdown } from "../../../reports/markdown.ts";
import type { Check, RunSummary, StepResult } from "../../../reports/summary-schema.ts";
import { exitCodeFor, overallVerdict } from "../../../scripts/commands/run-steps.ts";
import { renderVerdictTable } from "../../../scripts/commands/verdict-table.ts";
import { formatLimit, formatObserved } from "../../../scripts/core/format.ts";
import { fakeRun } from "./run-summaries.ts";

const assets = { chartLibraryJs: "", chartLibraryCss: "", clientJs: "" };

const errorRate: Check = {
  name: "get-item error rate < 0.1 %",
  kind: "threshold",
  metric: "http_req_failed{endpoint:get-item}",
  expression: "rate<0.001",
  endpoint: "get-item",
  observed: 1 / 1001,
  limit: 0.001,
  unit: "ratio",
  verdict: "pass",
  reason: "0.0999 % (1 of 1001 requests) failed; required < 0.1 %",
  samples: 1001,
};

const saturated: Check = {
  name: "load generator sent the planned load",
  kind: "generator",
  metric: "dropped_iterations",
  expression: "count<=0",
  endpoint: null,
  observed: 37,
  limit: 0,
  unit: "count",
  verdict: "fail",
  reason: "invalid: load generator saturated: 37 iterations dropped (allowed 0); 1 of maxVUs 1 VUs allocated (set by the profile); engine CPU 0.25 cores (2.5 s)",
};

function runWith(checks: Check[], verdict: RunSummary["verdict"]): RunSummary {
  const run = fakeRun({ day: 1, p95: 100, verdict });
  run.steps[0] = { ...run.steps[0]!, checks, verdict };
  return run;
}

describe("precision that decides", () => {
  it("prints an observed value with the digits that put it on its side of the limit", () => {
    expect(formatObserved(1 / 1001, 0.001, "ratio")).toBe("0.0999 %");
    expect(formatObserved(1 / 999, 0.001, "ratio")).toBe("0.1001 %");
    expect(formatObserved(199.96, 200, "ms")).toBe("199.96 ms");
    expect(formatObserved(312.5, 200, "ms")).toBe("312.5 ms");
    expect(formatObserved(0.05, 0.05, "ratio")).toBe("5 %");
    expect([formatLimit(0.001, "ratio"), formatLimit(0.00125, "ratio"), formatLimit(200, "ms")]).toEqual(["0.1 %", "0.125 %", "200 ms"]);
  });

  it("uses that value in the verdict table, summary.md, junit.xml and report.html", async () => {
    const summary = runWith([errorRate], "pass");
    expect(renderVerdictTable(summary, "/tmp/run")).toMatch(/get-item error rate < 0\.1 %\s+0\.0999 %\s+rate<0\.001\s+pass/);
    expect(renderMarkdown(summary)).toContain("| get-item error rate < 0.1 % | ✅ pass | 0.0999 % | rate<0.001 | 0.0999 % (1 of 1001 requests) failed; required < 0.1 % |");
    const failing = runWith([{ ...errorRate, observed: 1 / 999, verdict: "fail", reason: "0.1001 % (1 of 999 requests) failed; required < 0.1 %" }], "fail");
    expect(renderJunit(failing)).toContain('<failure type="SloBreached" message="0.1001 % (1 of 999 requests) failed; required &lt; 0.1 %"');
    const directory = await mkdtemp(join(tmpdir(), "bulwark-verdicts-"));
    try {
      const html = renderReportHtml(await loadReportInput(directory, summary), assets);
      expect(html).toContain('<td class="num">0.0999 %</td>');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe("invalid: load generator saturated", () => {
  it("is exit 3, below a failed SLO and above a pass", () => {
    const step = (verdict: StepResult["verdict"]): StepResult => ({ ...fakeRun({ day: 1, p95: 1 }).steps[0]!, verdict });
    expect(exitCodeFor("invalid")).toBe(3);
    expect(overallVerdict([step("pass"), step("invalid")])).toBe("invalid");
    expect(overallVerdict([step("invalid"), step("fail")])).toBe("fail");
  });

  it("is told as invalid, with its figures, in every report", async () => {
    const summary = runWith([errorRate, saturated], "invalid");
    const table = renderVerdictTable(summary, "/tmp/run");
    expect(table).toMatch(/load generator sent the planned load\s+37\s+count<=0\s+invalid/);
    expect(table).toContain("browse-catalog: invalid: load generator saturated: 37 iterations dropped");
    expect(renderMarkdown(summary)).toMatch(/^# bulwark gate nightly: 🚫 invalid/);
    const junit = renderJunit(summary);
    expect(junit).toContain('<error type="GeneratorSaturated" message="invalid: load generator saturated: 37 iterations dropped');
    expect(junit).toMatch(/<testsuites [^>]* failures="0" errors="1"/);
    const directory = await mkdtemp(join(tmpdir(), "bulwark-verdicts-"));
    try {
      const html = renderReportHtml(await loadReportInput(directory, summary), assets);
      expect(html).toContain('<span class="badge invalid">INVALID</span>');
      expect(html).toMatch(/<tr class="invalid"><td><span class="badge invalid">INVALID<\/span><\/td><td>browse-catalog<\/td><td>load generator sent the planned load/);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
