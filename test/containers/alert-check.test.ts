// Alert checks against real Prometheus and Alertmanager (a monitoring estate of this file's own, with
// 1 s scrapes and evaluations): the shipped alert-errors-demo under load, a rule too slow for its
// budget, an alert no rule defines, an unreachable Alertmanager, and an interrupted check.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freeLoopbackPort } from "../../scripts/core/free-port.ts";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { waitFor } from "../../scripts/core/wait-for.ts";
import { shippedRuleFiles } from "../../scripts/local/monitoring/index.ts";
import type { RunSummary } from "../../reports/summary-schema.ts";
import { startTestMonitoring, testIntervals, type TestMonitoring } from "../support/monitoring-fixture.ts";
import { runCli, startCli, temporaryReportsRoot } from "../support/run-cli.ts";

/** A rule whose `for` (30 s) is longer than the 10 s budget of the slow-rule check below. */
const slowRule = `groups:
  - name: slow
    interval: 1s
    rules:
      - alert: DemoSlowErrors
        expr: sum(rate(demo_http_requests_total{status=~"5.."}[10s])) > 0
        for: 30s
        labels: { service: demo }
`;

interface AlertArtifact {
  facts: {
    faultStartMs: number;
    faultEndMs: number;
    observed: { firingMs?: number; notification?: { atMs: number; receiver: string; groupKey: string }; resolvedMs?: number };
    stored: { firingMs?: number };
  };
  parts: { name: string; ms: number; configured: string }[];
  firingPartsMs: number;
}

let monitoring: TestMonitoring;
let configPath: string;
let closedPort: number;

function writeConfig(): string {
  const config = JSON.parse(readFileSync(repoPath("bulwark.config.json"), "utf8")) as Record<string, any>;
  const base = config.alertChecks["alert-errors-demo"];
  config.alertChecks = {
    "slow-rule": { ...base, alert: "DemoSlowErrors", budgets: { fireWithin: "10s" } },
    "unknown-alert": { ...base, alert: "NoSuchAlert" },
    "errors-am-down": { ...base, notify: { receiver: "bulwark-webhook", webhookPort: closedPort } },
  };
  config.alertRules = {};
  config.suites = { nightly: config.suites.nightly };
  config.environments["am-down"] = { ...config.environments.local, monitoring: { prometheusUrl: monitoring.prometheusUrl, alertmanagerUrl: `http://127.0.0.1:${closedPort}` } };
  const path = join(mkdtempSync(join(tmpdir(), "bulwark-alert-config-")), "bulwark.config.json");
  writeFileSync(path, JSON.stringify(config));
  return path;
}

function auditLines(file: string): { action: string; result: string }[] {
  return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as { action: string; result: string }) : [];
}

const cliEnv = (auditLog: string): NodeJS.ProcessEnv => ({ ...monitoring.env, BULWARK_AUDIT_LOG: auditLog });
const newAuditLog = (): string => join(mkdtempSync(join(tmpdir(), "bulwark-alert-audit-")), "audit.jsonl");

beforeAll(async () => {
  const slowRuleFile = join(mkdtempSync(join(tmpdir(), "bulwark-alert-rules-")), "slow.rules.yml");
  writeFileSync(slowRuleFile, slowRule);
  monitoring = await startTestMonitoring({ ruleFiles: [...shippedRuleFiles(), slowRuleFile] });
  closedPort = await freeLoopbackPort();
  configPath = writeConfig();
});

afterAll(async () => {
  await monitoring?.[Symbol.asyncDispose]();
});

describe("bulwark alert", () => {
  it("alert-errors-demo: under load the alert fires and notifies inside its budgets, no sooner than its `for`, the parts add up, and resolution is measured", async () => {
    const reports = temporaryReportsRoot();
    const auditLog = newAuditLog();
    const { code, stdout, stderr } = await runCli(["alert", "alert-errors-demo", "--out", reports, "--json"], cliEnv(auditLog));
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout) as RunSummary;
    const step = summary.steps[0]!;
    const budgets = step.checks.filter((check) => check.kind === "alert");
    expect(budgets.map((check) => [check.name, check.verdict])).toEqual([
      ["DemoHighErrorRate fires within 30 s of the fault", "pass"],
      ["DemoHighErrorRate notifies bulwark-webhook within 30 s of the fault", "pass"],
      ["DemoHighErrorRate resolves within 60 s of the fault's removal", "pass"],
    ]);
    expect(step.checks.find((check) => check.kind === "injection")?.verdict).toBe("pass");

    // Ground truth: the shipped rule's `for`, read from the rule file itself.
    const forSeconds = Number(/alert: DemoHighErrorRate[\s\S]*?\n\s+for: (\d+)s/.exec(readFileSync(shippedRuleFiles()[0]!, "utf8"))?.[1]);
    expect(forSeconds).toBeGreaterThan(0);
    const artifact = JSON.parse(readFileSync(join(reports, summary.runId, step.artifacts.alert!), "utf8")) as AlertArtifact;
    const { facts } = artifact;
    const timeToFiringMs = facts.observed.firingMs! - facts.faultStartMs;
    expect(timeToFiringMs).toBeGreaterThanOrEqual(forSeconds * 1000);
    expect(budgets[0]!.observed).toBeCloseTo(timeToFiringMs / 1000, 3);
    expect(budgets[0]!.observed!).toBeLessThanOrEqual(30);

    // The decomposition (scrape, range window, evaluation, for) adds up to the measured time within one evaluation interval.
    expect(artifact.parts.map((part) => part.name)).toEqual(["scrape", "range window", "evaluation", "for", "group wait"]);
    expect(Math.abs(artifact.firingPartsMs - timeToFiringMs)).toBeLessThanOrEqual(testIntervals.evaluationSeconds * 1000);
    expect(artifact.parts.find((part) => part.name === "for")!.ms).toBeGreaterThanOrEqual(forSeconds * 1000);
    expect(artifact.parts.find((part) => part.name === "scrape")!.ms).toBeLessThanOrEqual(testIntervals.scrapeSeconds * 1000 + 100);
    expect(budgets[0]!.reason).toMatch(/^fired after \d+\.\d s: scrape .* \+ range window .* \+ evaluation .*\(rule group interval 1 s\) \+ for \d+\.\d s \(for 5 s\)$/);

    // The webhook arrived after firing, from the expected receiver and route; resolution was measured after the fault's removal.
    expect(facts.observed.notification!.receiver).toBe("bulwark-webhook");
    expect(facts.observed.notification!.groupKey).toBe('{}:{alertname="DemoHighErrorRate"}');
    expect(facts.observed.notification!.atMs).toBeGreaterThanOrEqual(facts.stored.firingMs!);
    expect(budgets[1]!.observed!).toBeLessThanOrEqual(30);
    expect(facts.observed.resolvedMs!).toBeGreaterThan(facts.faultEndMs);
    expect(budgets[2]!.observed).toBeCloseTo((facts.observed.resolvedMs! - facts.faultEndMs) / 1000, 3);

    // The report's material: a fault phase, a timeline in order, the alert state series reaching 2 (firing).
    expect(step.phases?.find((phase) => phase.kind === "fault")?.startedAt).toBe(new Date(facts.faultStartMs).toISOString());
    const events = step.timeline!.map((event) => event.event);
    expect(events.indexOf("fault-injected")).toBeLessThan(events.indexOf("alert-firing"));
    expect(events.indexOf("alert-firing")).toBeLessThan(events.indexOf("fault-removed"));
    expect(events.indexOf("fault-removed")).toBeLessThan(events.indexOf("alert-resolved"));
    expect(Math.max(...step.series![0]!.points.map(([, value]) => value ?? 0))).toBe(2);
    expect(auditLines(auditLog).map((line) => `${line.action} ${line.result}`)).toEqual(["alert-fault-inject started", "alert-fault-inject succeeded", "alert-fault-remove reverted"]);
    expect(readFileSync(join(reports, summary.runId, "junit.xml"), "utf8")).toContain("DemoHighErrorRate notifies bulwark-webhook within 30 s of the fault");
  });

  it("a rule whose `for` exceeds the budget fails (exit 1) naming its interval and `for`, without injecting a fault", async () => {
    const auditLog = newAuditLog();
    const { code, stdout, stderr } = await runCli(["alert", "slow-rule", "--config", configPath, "--out", temporaryReportsRoot(), "--json"], cliEnv(auditLog));
    expect(code, stderr).toBe(1);
    const check = (JSON.parse(stdout) as RunSummary).steps[0]!.checks[0]!;
    expect(check.verdict).toBe("fail");
    expect(check.reason).toMatch(/DemoSlowErrors cannot fire within 10 s: rule group interval 1 s \+ for 30 s/);
    expect(auditLines(auditLog)).toEqual([]);
  });

  it("an alert no rule defines: exit 2 naming it, before any fault", async () => {
    const auditLog = newAuditLog();
    const { code, stderr } = await runCli(["alert", "unknown-alert", "--config", configPath, "--out", temporaryReportsRoot()], cliEnv(auditLog));
    expect(code, stderr).toBe(2);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/alertChecks\.unknown-alert\.alert: no alerting rule named 'NoSuchAlert' .*rules: DemoHighErrorRate, DemoHighLatencyP95, DemoSlowErrors/);
    expect(auditLines(auditLog)).toEqual([]);
  });

  it("Alertmanager unreachable: exit 3 at preflight, no fault injected", async () => {
    const auditLog = newAuditLog();
    const { code, stderr } = await runCli(["alert", "errors-am-down", "--env", "am-down", "--config", configPath, "--out", temporaryReportsRoot()], cliEnv(auditLog));
    expect(code, stderr).toBe(3);
    expect(stderr).toContain(`Alertmanager at http://127.0.0.1:${closedPort} is unreachable`);
    expect(stderr).not.toContain("fault injected");
    expect(auditLines(auditLog)).toEqual([]);
  });

  it("interrupted after the fault: exit 130, the fault removed, the report marked aborted", async () => {
    const reports = temporaryReportsRoot();
    const auditLog = newAuditLog();
    const run = startCli(["alert", "alert-errors-demo", "--out", reports, "--json"], cliEnv(auditLog));
    await waitFor(() => auditLines(auditLog).some((line) => line.action === "alert-fault-inject" && line.result === "succeeded"), { timeoutMs: 60_000, intervalMs: 100, description: "the fault to be injected" });
    run.child.kill("SIGINT");
    const { code, stdout } = await run.result;
    expect(code).toBe(130);
    expect((JSON.parse(stdout) as RunSummary).verdict).toBe("aborted");
    expect(auditLines(auditLog).map((line) => line.action)).toContain("alert-fault-remove");
  });
});
