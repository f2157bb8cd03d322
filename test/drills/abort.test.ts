import { existsSync } from "node:fs";
import { connect } from "node:net";
import { describe, expect, it, vi } from "vitest";
import { startCli } from "../support/run-cli.ts";
import { drillSandbox } from "../support/drill-fixture.ts";

function connectTo(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.end();
      resolve();
    });
    socket.once("error", reject);
  });
}

describe("Ctrl-C during a drill", () => {
  it("stops cleanly, removes what the drill started and still writes the evidence, marked aborted", async () => {
    using sandbox = drillSandbox();
    const config = sandbox.writeConfig({ drills: { "pitr-interrupted": { kind: "postgres-pitr", runner: "process", warmup: "1m", reference: { rows: 100 } } } });
    const run = startCli(["drill", "pitr-interrupted", "--confirm-destroy", "local", "--config", config], sandbox.env);
    let stderr = "";
    run.child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    await vi.waitFor(() => expect(stderr).toMatch(/drill: steady-state: write every/), { timeout: 120_000, interval: 100 });
    run.child.kill("SIGINT");
    const result = await run.result;
    expect(result.code).toBe(130);

    const [runDirectory] = sandbox.evidenceDirectories();
    const evidence = sandbox.readEvidence(runDirectory!);
    expect(evidence).toMatchObject({ verdict: "aborted", exitCode: 130, error: "interrupted before the disaster", timeline: { disasterAt: null } });
    expect(evidence.steps.map((step) => step.name)).toEqual(["setup", "load-reference-data", "prepare-write-probe", "backup", "steady-state", "teardown"]);
    expect(evidence.steps.at(-1)?.result).toBe("ok");
    // Nothing was destroyed, and the PostgreSQL the drill started is gone with its folder.
    expect(sandbox.auditLines().some((line) => line.action === "drill.disaster")).toBe(false);
    const [, port, workDir] = /127\.0\.0\.1:(\d+) \(work folder (\S+)\)/.exec(evidence.where.target) ?? [];
    expect(existsSync(workDir!)).toBe(false);
    await expect(connectTo(Number(port))).rejects.toThrow(/ECONNREFUSED/);
  });
});
