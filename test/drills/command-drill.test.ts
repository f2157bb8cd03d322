import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { freeLoopbackPort } from "../../scripts/core/free-port.ts";
import { runCli } from "../support/run-cli.ts";
import { drillSandbox } from "../support/drill-fixture.ts";

const restartDelaySeconds = 1;

describe("a command-based drill", () => {
  it("stops a local server with the runbook's commands, starts it again, and measures RTO end to end", async () => {
    using sandbox = drillSandbox();
    const port = await freeLoopbackPort();
    const pidFile = join(sandbox.root, "server.pid");
    const start = `nohup '${process.execPath}' '${repoPath("dist", "demo-target.mjs")}' --port ${port} >> '${join(sandbox.root, "server.log")}' 2>&1 & echo $! > '${pidFile}'`;
    const config = sandbox.writeConfig({
      drills: {
        "demo-restart": {
          kind: "command",
          description: "stop the demo target and start it again",
          warmup: "1s",
          restoreTimeout: "1m",
          availabilityProbe: { kind: "http", url: `http://127.0.0.1:${port}/health`, intervalMs: 100, timeoutMs: 1000 },
          commands: {
            setup: start,
            disaster: `pid=$(cat '${pidFile}'); kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done; echo "stopped $pid"`,
            // The restore takes a known while before the server is started again.
            restore: `sleep ${restartDelaySeconds}; ${start}; echo "started $(cat '${pidFile}')"`,
            teardown: `kill $(cat '${pidFile}')`,
          },
        },
      },
    });
    const result = await runCli(["drill", "demo-restart", "--confirm-destroy", "local", "--config", config], sandbox.env);
    expect(result.code, result.stderr).toBe(0);

    const [runDirectory] = sandbox.evidenceDirectories();
    const evidence = sandbox.readEvidence(runDirectory!);
    expect(evidence).toMatchObject({ kind: "command", verdict: "pass", rto: { verdict: "pass", precisionMs: 100 }, rpo: { ms: null, verdict: "no-data" } });
    const disasterAt = Date.parse(evidence.timeline.disasterAt!);
    const restoreStartedAt = Date.parse(evidence.timeline.restoreStartedAt!);
    const firstSuccessAt = Date.parse(evidence.timeline.firstSuccessAt!);
    // End to end: the outage spans the stop, the runbook's delay and the server's start-up.
    // Times in drill.json are ISO strings (whole milliseconds); the RTO is rounded from the exact figure.
    expect(Math.abs(evidence.rto.ms! - (firstSuccessAt - disasterAt))).toBeLessThanOrEqual(1);
    expect(firstSuccessAt - restoreStartedAt).toBeGreaterThanOrEqual(restartDelaySeconds * 1000);
    expect(evidence.rto.ms!).toBeGreaterThanOrEqual(restoreStartedAt - disasterAt + restartDelaySeconds * 1000);
    // The probe saw the outage: failed checks between the disaster and the recovery.
    const samples = readFileSync(join(runDirectory!, "availability.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line) as { startedAt: number; at: number; ok: boolean });
    const disasterFinishedAt = Date.parse(evidence.timeline.disasterFinishedAt!);
    const outage = samples.filter((sample) => sample.startedAt >= disasterFinishedAt && sample.at < firstSuccessAt);
    expect(outage.length).toBeGreaterThan(0);
    expect(outage.every((sample) => !sample.ok)).toBe(true);
    expect(evidence.steps.find((step) => step.name === "disaster")?.output).toMatch(/stopped \d+/);
    expect(evidence.steps.find((step) => step.name === "restore")?.output).toMatch(/started \d+/);
    expect(evidence.checks.map((check) => check.name)).toEqual(["restore completed", "RTO < 4 h 00 min"]);
  });
});
