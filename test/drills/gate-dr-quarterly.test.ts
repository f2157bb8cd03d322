import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { summarySchema } from "../../reports/summary-schema.ts";
import { runCli } from "../support/run-cli.ts";
import { drillSandbox } from "../support/drill-fixture.ts";

const gateRuns = (reportsRoot: string) => (existsSync(reportsRoot) ? readdirSync(reportsRoot).filter((name) => name.includes("-gate-dr-quarterly-")) : []);

describe("bulwark gate dr-quarterly (restore drills as gate steps)", () => {
  it("runs the postgres-pitr drill as a step and judges RTO and RPO in the gate's verdict", async () => {
    using sandbox = drillSandbox();
    const { code, stderr } = await runCli(["gate", "dr-quarterly", "--confirm-destroy", "local"], sandbox.env);
    expect(code, stderr).toBe(0);
    const [gateRun, ...others] = gateRuns(sandbox.reportsRoot);
    expect(others).toEqual([]);
    const runDirectory = join(sandbox.reportsRoot, gateRun!);
    const summary = summarySchema.parse(JSON.parse(readFileSync(join(runDirectory, "summary.json"), "utf8")));
    expect(summary).toMatchObject({ kind: "gate", name: "dr-quarterly", verdict: "pass", exitCode: 0, engineVersion: null });
    const [step] = summary.steps;
    expect(step).toMatchObject({ name: "postgres-pitr", kind: "drill", verdict: "pass" });
    const names = step!.checks.map((check) => check.name);
    expect(names).toEqual(expect.arrayContaining([expect.stringMatching(/^RTO < 4 h/), expect.stringMatching(/^RPO < 15 min/)]));
    // The drill's full evidence sits inside the gate's run directory, and the step points at it.
    expect(existsSync(join(runDirectory, step!.artifacts.evidence!))).toBe(true);
    expect(readFileSync(join(runDirectory, "junit.xml"), "utf8")).toContain('<testsuite name="dr-quarterly/postgres-pitr"');
  });

  it("refuses to start without --confirm-destroy: exit 2, nothing run", async () => {
    using sandbox = drillSandbox();
    const { code, stderr } = await runCli(["gate", "dr-quarterly"], sandbox.env);
    expect(code).toBe(2);
    expect(stderr.trim().split("\n")).toEqual([expect.stringMatching(/^bulwark: drill postgres-pitr: destroys data in environment 'local'; confirm with --confirm-destroy local/)]);
    expect(gateRuns(sandbox.reportsRoot)).toEqual([]);
    expect(sandbox.auditLines()).toEqual([]);
  });
});
