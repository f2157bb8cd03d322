import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { summarySchema } from "../../reports/summary-schema.ts";
import { runCli } from "../support/run-cli.ts";
import { drillSandbox } from "../support/drill-fixture.ts";

describe("bulwark drill postgres-pitr (the shipped drill, on the container estate)", () => {
  it("takes a real base backup, archives WAL, destroys the primary, restores it, and proves it with evidence", async () => {
    using sandbox = drillSandbox();
    const result = await runCli(["drill", "postgres-pitr", "--env", "local", "--confirm-destroy", "local", "--json"], sandbox.env);
    expect(result.code, result.stderr).toBe(0);

    // A drill is a run with one drill step: --json prints its summary.json; the evidence folder sits inside the run directory.
    const [runDirectory, ...others] = sandbox.evidenceDirectories();
    expect(others).toEqual([]);
    const evidence = sandbox.readEvidence(runDirectory!);
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(readFileSync(join(dirname(runDirectory!), "summary.json"), "utf8")));
    const runSummary = summarySchema.parse(JSON.parse(result.stdout));
    expect(runSummary).toMatchObject({ kind: "drill", name: "postgres-pitr", verdict: "pass", exitCode: 0, steps: [{ name: "postgres-pitr", kind: "drill", checks: evidence.checks }] });
    expect(evidence).toMatchObject({ drill: "postgres-pitr", kind: "postgres-pitr", verdict: "pass", exitCode: 0, where: { environment: "local" } });

    // RTO and RPO measured, inside the default targets (4 h, 15 min), with their precision stated.
    expect(evidence.targets).toEqual({ rtoMs: 4 * 3_600_000, rpoMs: 15 * 60_000 });
    expect(evidence.rto).toMatchObject({ verdict: "pass", precisionMs: 500 });
    expect(evidence.rto.ms).toBeGreaterThan(0);
    expect(evidence.rto.ms).toBeLessThan(evidence.rto.targetMs);
    expect(evidence.rpo).toMatchObject({ verdict: "pass", precisionMs: 100, lowerBound: false });
    expect(evidence.rpo.ms).not.toBeNull();
    expect(evidence.rpo.ms!).toBeLessThan(evidence.rpo.targetMs);
    // The restore replayed archived WAL: writes made after the base backup survived.
    expect(evidence.rpo.survivingWrites).toBeGreaterThan(0);
    expect(evidence.rpo.acknowledgedWrites).toBe(evidence.rpo.survivingWrites + evidence.rpo.lostSeqs.length);
    expect(evidence.rpo.lostSeqs.every((seq) => seq > evidence.rpo.newestSurvivingSeq!)).toBe(true);

    // Integrity: reference data identical, ledger an unbroken prefix.
    expect(evidence.integrity.map((check) => [check.name, check.verdict])).toEqual([
      ["reference row count", "pass"],
      ["reference checksum", "pass"],
      ["ledger has no holes", "pass"],
    ]);

    // Every step with start, end and output; the disaster really destroyed the primary and its data.
    expect(evidence.steps.map((step) => step.name)).toEqual(["setup", "load-reference-data", "prepare-write-probe", "backup", "steady-state", "disaster", "restore", "wait-for-service", "verify", "teardown"]);
    for (const step of evidence.steps) {
      expect(step.result, `${step.name}: ${step.error}`).toBe("ok");
      expect(Date.parse(step.finishedAt)).toBeGreaterThanOrEqual(Date.parse(step.startedAt));
    }
    const output = (name: string) => evidence.steps.find((step) => step.name === name)?.output ?? "";
    expect(output("backup")).toMatch(/base backup: \d+ files/);
    expect(output("setup")).toMatch(/primary container [0-9a-f]{12} on 127\.0\.0\.1:\d+/);
    expect(output("disaster")).toMatch(/killed the primary container [0-9a-f]{12} with SIGKILL and removed it with its data directory/);
    expect(output("restore")).toMatch(/restored log file "[0-9A-F]{24}" from archive/);
    expect(output("restore")).toMatch(/archive recovery complete/);
    expect(evidence.timeline.disasterAt).toBe(evidence.steps.find((step) => step.name === "disaster")?.startedAt);

    // Who, where, versions; the companion files; the common run summary.
    expect(evidence.who).toMatch(/@/);
    expect(evidence.versions).toMatchObject({ "postgres runner": "container", postgres: expect.stringMatching(/^PostgreSQL 15\./), docker: expect.any(String) });
    for (const file of ["drill.md", "summary.json", "ledger.jsonl", "availability.jsonl"]) expect(existsSync(join(runDirectory!, file)), file).toBe(true);
    const markdown = readFileSync(join(runDirectory!, "drill.md"), "utf8");
    for (const heading of ["## Recovery objectives", "## Integrity", "## Steps", "### Output of restore", "## Versions"]) expect(markdown).toContain(heading);
    const summary = summarySchema.parse(JSON.parse(readFileSync(join(runDirectory!, "summary.json"), "utf8")));
    expect(summary).toMatchObject({ kind: "drill", name: "postgres-pitr", verdict: "pass" });
    expect(summary.steps[0]?.checks.every((check) => check.kind === "drill" && check.verdict === "pass")).toBe(true);

    // One audit line per action, the destructive one with its start.
    const audit = sandbox.auditLines().filter((line) => line.runId === evidence.runId);
    expect(audit.map((line) => `${line.action}:${line.result}`)).toEqual(expect.arrayContaining(["drill.start:started", "drill.disaster:started", "drill.disaster:succeeded", "drill.restore:succeeded", "drill.finish:succeeded"]));
  });
});
