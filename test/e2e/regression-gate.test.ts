import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { summarySchema } from "../../reports/summary-schema.ts";
import { runCli } from "../support/run-cli.ts";
import { shippedConfigCopy } from "../support/shipped-config.ts";

/** A one-step suite whose regressions fail the gate, in a copy of the shipped config. */
function configWithStrictSuite(): string {
  const config = shippedConfigCopy();
  config.suites["strict-smoke"] = { steps: [{ scenario: "smoke" }], regression: { failGate: true, minRuns: 3, baselineRuns: 3 } };
  const path = join(mkdtempSync(join(tmpdir(), "bulwark-config-")), "bulwark.config.json");
  writeFileSync(path, JSON.stringify(config));
  return path;
}

describe("a suite whose regressions fail the gate", () => {
  it("passes while the history is healthy, then fails a run that is inside its SLO but slower than its baseline", async () => {
    const config = configWithStrictSuite();
    const reports = mkdtempSync(join(tmpdir(), "bulwark-reports-"));
    const gate = (...extra: string[]) => runCli(["gate", "strict-smoke", "--config", config, "--out", reports, ...extra]);

    for (let run = 1; run <= 3; run += 1) {
      const { code, stderr } = await gate();
      expect(code, stderr).toBe(0);
    }
    // 60 ms stays well inside p95 < 200 ms, but is far above a baseline of a few milliseconds.
    const { code, stderr } = await gate("--demo-fault", "latency=60ms");
    expect(code, stderr).toBe(1);

    const newest = readdirSync(reports).filter((name) => /^\d/.test(name)).sort().at(-1)!;
    const summary = summarySchema.parse(JSON.parse(readFileSync(join(reports, newest, "summary.json"), "utf8")));
    expect(summary.verdict).toBe("fail");
    const checks = summary.steps.flatMap((step) => step.checks);
    expect(checks.filter((check) => check.kind === "threshold" && check.verdict !== "pass")).toEqual([]);
    const regressions = checks.filter((check) => check.kind === "regression" && check.verdict === "fail");
    expect(regressions.map((check) => check.name)).toEqual(expect.arrayContaining([expect.stringMatching(/list-items p95/)]));
    expect(readFileSync(join(reports, newest, "junit.xml"), "utf8")).toMatch(/<testcase classname="smoke" name="list-items p95 vs baseline">\s*<failure type="Regression" message="regression: /);
  });
});
