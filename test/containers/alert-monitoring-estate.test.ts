import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "../../scripts/core/wait-for.ts";
import { startDemoTarget } from "../../scripts/demo-target/launch.ts";
import { noFaults } from "../../scripts/demo-target/faults.ts";
import { connect } from "../../scripts/local/monitoring/index.ts";
import { containerExists } from "../support/containers-fixture.ts";
import { promQuery, startTestMonitoring } from "../support/monitoring-fixture.ts";
import { runCli } from "../support/run-cli.ts";

/** Addresses the host listens on at `port` (host networking: the containers' sockets are the host's), from /proc/net/tcp and tcp6. */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  return ["/proc/net/tcp", "/proc/net/tcp6"].flatMap((file) =>
    readFileSync(file, "utf8")
      .split("\n")
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[3] === "0A" && fields[1]?.endsWith(`:${hexPort}`))
      .map((fields) => fields[1]!.split(":")[0]!),
  );
}

interface StatusJson {
  monitoring: { running: boolean; prometheusUrl: string; alertmanagerUrl: string; webhookUrl: string; services: { container: string; ready: boolean }[] };
}

describe("local monitoring estate", () => {
  it("local up --monitoring starts Prometheus and Alertmanager on loopback ports; status shows them; down removes them", async () => {
    const env = { BULWARK_MONITORING_STATE_DIR: mkdtempSync(join(tmpdir(), "bulwark-monitoring-cli-")) };
    try {
      const started = await runCli(["local", "up", "--monitoring"], env);
      expect(started.code, started.stderr).toBe(0);
      const status = await runCli(["local", "status", "--monitoring", "--json"], env);
      const { monitoring } = JSON.parse(status.stdout) as StatusJson;
      expect(monitoring.running).toBe(true);
      for (const url of [monitoring.prometheusUrl, monitoring.alertmanagerUrl, monitoring.webhookUrl]) expect(new URL(url).hostname).toBe("127.0.0.1");
      // 0100007F is 127.0.0.1 in /proc/net/tcp's byte order: loopback only, no wildcard listener.
      for (const url of [monitoring.prometheusUrl, monitoring.alertmanagerUrl]) expect(listeningAddresses(Number(new URL(url).port))).toEqual(["0100007F"]);
      expect((await fetch(`${monitoring.alertmanagerUrl}/api/v2/status`)).status).toBe(200);
      const rules = (await (await fetch(`${monitoring.prometheusUrl}/api/v1/rules`)).json()) as { data: { groups: { rules: { name: string; duration: number }[] }[] } };
      expect(rules.data.groups.flatMap((group) => group.rules.map((rule) => `${rule.name} for ${rule.duration}s`)).sort()).toEqual(["DemoHighErrorRate for 5s", "DemoHighLatencyP95 for 5s"]);

      const stopped = await runCli(["local", "down", "--monitoring"], env);
      expect(stopped.code, stopped.stderr).toBe(0);
      for (const service of monitoring.services) expect(await containerExists(service.container)).toBe(false);
      expect(existsSync(env.BULWARK_MONITORING_STATE_DIR)).toBe(false);
    } finally {
      await runCli(["local", "down", "--monitoring"], env);
    }
  });

  it("scrapes a target registered at runtime: Prometheus counts exactly the requests the demo target answered", async () => {
    await using monitoring = await startTestMonitoring();
    const target = await startDemoTarget(noFaults);
    try {
      const unregister = await monitoring.scrape("estate-test", target.metricsUrl);
      const sent = 7;
      for (let index = 0; index < sent; index++) expect((await fetch(`${target.baseUrl}/api/items`)).status).toBe(200);
      const counted = await waitFor(
        async () => {
          const result = await promQuery(monitoring.prometheusUrl, 'sum(demo_http_requests_total{job="estate-test",status="200"})');
          return result[0]?.value[1] === String(sent) ? Number(result[0].value[1]) : undefined;
        },
        { timeoutMs: 15_000, intervalMs: 250, description: "Prometheus to count the requests" },
      );
      expect(counted).toBe(sent);

      await unregister();
      await waitFor(
        async () => {
          const body = (await (await fetch(`${monitoring.prometheusUrl}/api/v1/targets?state=active`)).json()) as { data: { activeTargets: { labels: { job: string } }[] } };
          return !body.data.activeTargets.some((active) => active.labels.job === "estate-test");
        },
        { timeoutMs: 15_000, intervalMs: 250, description: "the target to be dropped" },
      );
    } finally {
      await target.stop();
    }
  });

  it("refuses targets that are not on loopback", async () => {
    await using monitoring = await startTestMonitoring();
    await expect(monitoring.scrape("elsewhere", "http://10.0.0.7:8080/metrics")).rejects.toThrow(/only loopback targets/);
  });

  it("without a running estate, localMonitoring names `bulwark local up --monitoring`", async () => {
    const previous = process.env.BULWARK_MONITORING_STATE_DIR;
    process.env.BULWARK_MONITORING_STATE_DIR = mkdtempSync(join(tmpdir(), "bulwark-monitoring-none-"));
    try {
      await expect(connect()).rejects.toThrow(/bulwark local up --monitoring/);
    } finally {
      if (previous === undefined) delete process.env.BULWARK_MONITORING_STATE_DIR;
      else process.env.BULWARK_MONITORING_STATE_DIR = previous;
    }
  });
});
