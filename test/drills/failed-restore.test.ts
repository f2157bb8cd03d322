import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.ts";
import { drillSandbox } from "../support/drill-fixture.ts";

// Bytes past the version fields, so the server gets as far as checking the control file's checksum.
const corrupt = `dd if=/dev/urandom of="$BULWARK_DRILL_BASE_BACKUP/global/pg_control" bs=1 seek=64 count=32 conv=notrunc status=none`;
const remove = `rm -rf "$BULWARK_DRILL_BASE_BACKUP"`;

describe("a postgres-pitr restore that cannot succeed", () => {
  it.each([
    ["corrupted", "process", corrupt],
    ["missing", "process", remove],
    ["corrupted", "container", corrupt],
  ])("with a %s base backup (%s runner): exit 1, verdict fail, full evidence with the failing step's output", async (kind, runner, beforeRestore) => {
    using sandbox = drillSandbox();
    const config = sandbox.writeConfig({
      drills: { "pitr-broken": { kind: "postgres-pitr", runner, archiveTimeout: "2s", warmup: "1s", restoreTimeout: "1m", reference: { rows: 100 }, beforeRestore } },
    });
    const result = await runCli(["drill", "pitr-broken", "--confirm-destroy", "local", "--config", config], sandbox.env);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/drill pitr-broken: fail/);

    const [runDirectory] = sandbox.evidenceDirectories();
    const evidence = sandbox.readEvidence(runDirectory!);
    expect(evidence).toMatchObject({ verdict: "fail", exitCode: 1 });
    const restore = evidence.steps.find((step) => step.name === "restore");
    expect(restore?.result).toBe("failed");
    expect(restore?.output).toContain(`beforeRestore: ${beforeRestore}`);
    if (kind === "corrupted") {
      // The server's own complaint, quoted from its log.
      expect(restore?.error).toMatch(/PostgreSQL \(restored\) exited with code/);
      expect(restore?.output).toMatch(/incorrect checksum in control file/);
    } else {
      expect(restore?.error).toMatch(/no usable base backup/);
    }
    // The steps before the failure and the cleanup after it are all there.
    expect(evidence.steps.map((step) => [step.name, step.result])).toEqual([
      ["setup", "ok"],
      ["load-reference-data", "ok"],
      ["prepare-write-probe", "ok"],
      ["backup", "ok"],
      ["steady-state", "ok"],
      ["disaster", "ok"],
      ["restore", "failed"],
      ["verify", "failed"],
      ["teardown", "ok"],
    ]);
    expect(evidence.rto).toMatchObject({ ms: null, verdict: "fail" });
    expect(evidence.rpo).toMatchObject({ ms: null, verdict: "fail" });
    expect(evidence.checks.find((check) => check.name === "restore completed")?.verdict).toBe("fail");
    expect(evidence.integrity.length).toBeGreaterThan(0);
    expect(evidence.integrity.every((check) => check.verdict === "fail")).toBe(true);
    expect(evidence.timeline.disasterAt).not.toBeNull();
    const markdown = readFileSync(join(runDirectory!, "drill.md"), "utf8");
    expect(markdown).toContain("### Output of restore");
    expect(markdown).toMatch(/\| restore \|.*FAILED/);
    expect(existsSync(join(runDirectory!, "summary.json"))).toBe(true);
    expect(sandbox.auditLines().map((line) => `${line.action}:${line.result}`)).toEqual(expect.arrayContaining(["drill.restore:failed", "drill.finish:failed"]));
  });
});
