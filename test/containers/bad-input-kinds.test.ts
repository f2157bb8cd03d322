// Ctrl-C at an odd moment of `bulwark local up --monitoring`: in the middle of starting an estate of the
// test's own (its own state folder). Prometheus and Alertmanager are started to the end (never half a
// container), the command answers 130 on one line, and status and down still work on what it started.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { waitFor } from "../../scripts/core/wait-for.ts";
import { containerExists } from "../support/containers-fixture.ts";
import { runCli, startCli } from "../support/run-cli.ts";

describe("Ctrl-C during local up --monitoring", () => {
  it("exits 130 naming the interruption; the estate it started is whole, shown by status and removed by down", async () => {
    const env = { BULWARK_MONITORING_STATE_DIR: mkdtempSync(join(tmpdir(), "bulwark-monitoring-interrupt-")) };
    try {
      const up = startCli(["local", "up", "--monitoring"], env);
      let stderr = "";
      up.child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      // The container estate's line comes before monitoring starts: interrupt between the two parts.
      await waitFor(() => stderr.includes("container estate ready"), { timeoutMs: 120_000, intervalMs: 20, description: "the container estate to be ready" });
      up.child.kill("SIGINT");
      const result = await up.result;
      expect(result.code, result.stderr).toBe(130);
      expect(result.stderr.trim().split("\n").at(-1)).toBe("bulwark: local up: interrupted; parts already started keep running (bulwark local status)");
      expect(result.stderr).not.toMatch(/^\s+at /m);

      const status = await runCli(["local", "status", "--monitoring", "--json"], env);
      const { monitoring } = JSON.parse(status.stdout) as { monitoring: { running: boolean; services: { container: string; ready: boolean }[] } };
      expect(monitoring.running).toBe(true);
      expect(monitoring.services.every((service) => service.ready)).toBe(true);

      const down = await runCli(["local", "down", "--monitoring"], env);
      expect(down.code, down.stderr).toBe(0);
      for (const service of monitoring.services) expect(await containerExists(service.container)).toBe(false);
    } finally {
      await runCli(["local", "down", "--monitoring"], env);
    }
  });
});
