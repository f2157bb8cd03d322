import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FolderHistoryStore } from "../../reports/run-history/index.ts";
import { summarySchema, type RunSummary } from "../../reports/summary-schema.ts";
import { findScenario } from "../../scripts/kinds/load/scenarios.ts";
import { runCli, temporaryReportsRoot } from "../support/run-cli.ts";
import { fakeRun } from "../unit/reports/run-summaries.ts";

/** A passing nightly gate from the past, with the real steps and endpoints, answering in about 5 ms. */
function pastNightly(day: number): RunSummary {
  const base = fakeRun({ day, p95: 5 });
  const template = base.steps[0]!;
  const steps = ["smoke", "browse-catalog", "place-order"].map((scenario) => ({
    ...template,
    name: scenario,
    scenario,
    endpoints: (findScenario(scenario)!.endpoints as readonly string[]).map((name) => ({ ...template.endpoints![0]!, name, latencyMs: { avg: 3, p50: 3, p90: 4.5, p95: 5 + (day % 3) * 0.2, p99: 7 + (day % 2) * 0.3, max: 12 } })),
  }));
  return { ...base, steps };
}

describe("gate against its history (real engine)", () => {
  it("compares a gate with the median of its past passing runs and reports regressions in every report", async () => {
    const reports = temporaryReportsRoot();
    const history = new FolderHistoryStore(join(reports, "history"));
    for (let day = 0; day < 5; day++) await history.append(pastNightly(day));

    // 60 ms of injected latency stays inside the 200 ms SLO but is far above the 5 ms baseline.
    const { code, stderr } = await runCli(["gate", "nightly", "--out", reports, "--demo-fault", "latency=60ms"]);
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/bulwark: baseline: \d+ of \d+ metrics regressed against the median of the last 5 passing runs of gate nightly on local/);

    const runId = readdirSync(reports).find((entry) => /^\d/.test(entry))!;
    const runDirectory = join(reports, runId);
    const summary = summarySchema.parse(JSON.parse(readFileSync(join(runDirectory, "summary.json"), "utf8")));
    const regressionChecks = summary.steps.flatMap((step) => step.checks.filter((check) => check.kind === "regression"));
    const p95 = regressionChecks.find((check) => check.name === "list-items p95 vs baseline")!;
    expect(p95.reason).toMatch(/^regression: .* against a baseline of 5\.\d ms .*reported only: regression.failGate is false/);
    expect(p95.verdict).toBe("pass");
    expect(p95.observed).toBeGreaterThan(50);
    expect(summary.verdict).toBe("pass");

    const comparison = JSON.parse(readFileSync(join(runDirectory, "comparison.json"), "utf8"));
    expect(comparison.status).toBe("regression");
    expect(readFileSync(join(runDirectory, "junit.xml"), "utf8")).toContain('name="list-items p95 vs baseline"');
    expect(readFileSync(join(runDirectory, "summary.md"), "utf8")).toContain("list-items p95 vs baseline");
    const html = readFileSync(join(runDirectory, "report.html"), "utf8");
    expect(html).toContain('<section id="baseline">');
    expect(html).toContain("metrics regressed against the median of the last 5 passing runs");

    const { runs } = await history.list();
    expect(runs.map((run) => run.runId)).toContain(runId);
    expect(runs).toHaveLength(6);
  });
});
