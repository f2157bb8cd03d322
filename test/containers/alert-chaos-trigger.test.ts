// A chaos experiment as an alert check's trigger, against real Prometheus and Alertmanager (a
// monitoring estate of this file's own): the experiment's fault is a demo-fault with errors on (locally
// the only chaos fault Prometheus can see; no cluster needed), put in and taken out through the chaos
// runner's fault actions. The alert fires, notifies and resolves; the fault window the alert is measured
// from is the instants bulwark recorded (the chaos journal's); the chaos guardrails refuse with exit 2
// before anything; an interrupt still takes the fault out. A Chaos Mesh fault as trigger is in
// test/cluster/alert-chaos-trigger.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { waitFor } from "../../scripts/core/wait-for.ts";
import { shippedRuleFiles } from "../../scripts/local/monitoring/index.ts";
import type { RunSummary } from "../../reports/summary-schema.ts";
import { startTestMonitoring, type TestMonitoring } from "../support/monitoring-fixture.ts";
import { runCli, startCli, temporaryReportsRoot } from "../support/run-cli.ts";

interface AlertArtifact {
  trigger: string;
  facts: { faultStartMs: number; faultEndMs: number; observed: { firingMs?: number; notification?: { atMs: number; receiver: string }; resolvedMs?: number } };
}

/** A chaos experiment whose method is the demo target's fault: half the requests answered 500 while it is in. */
const demoErrors = (faults: unknown[], parallel = false) => ({
  title: "half the demo target's requests fail",
  target: { namespace: "bulwark-demo", selector: { app: "demo-target" } },
  load: { scenario: "smoke", profile: "chaos" },
  hypothesis: { probes: [{ type: "http", name: "api-answers", path: "/api/items", tolerance: { status: 200 } }] },
  method: { faults, parallel },
  rollbacks: [{ type: "demo-fault-off" }],
});

let monitoring: TestMonitoring;
let configPath: string;

function writeConfig(): string {
  const config = JSON.parse(readFileSync(repoPath("bulwark.config.json"), "utf8")) as Record<string, any>;
  const base = config.alertChecks["alert-errors-demo"];
  config.experiments = {
    "demo-errors": demoErrors([{ name: "errors", duration: "2m", demoFault: { errorRate: 0.5 } }]),
    "demo-errors-then-slow": demoErrors([
      { name: "errors", duration: "10s", demoFault: { errorRate: 0.5 } },
      { name: "slow", duration: "10s", demoFault: { latencyMs: 300 } },
    ]),
  };
  config.alertChecks = {
    "errors-by-chaos": { ...base, trigger: { chaos: "demo-errors" } },
    "faults-in-sequence": { ...base, trigger: { chaos: "demo-errors-then-slow" } },
  };
  config.alertRules = {};
  config.suites = { nightly: config.suites.nightly };
  const local = config.environments.local;
  config.environments["no-chaos"] = { ...local, allowChaos: false };
  config.environments.prod = { ...local, production: true };
  config.environments["other-namespace"] = { ...local, kubernetes: { ...local.kubernetes, chaosNamespaces: ["shop"] } };
  const path = join(mkdtempSync(join(tmpdir(), "bulwark-alert-chaos-config-")), "bulwark.config.json");
  writeFileSync(path, JSON.stringify(config));
  return path;
}

function auditLines(file: string): { action: string; result: string }[] {
  return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as { action: string; result: string }) : [];
}

const newAuditLog = (): string => join(mkdtempSync(join(tmpdir(), "bulwark-alert-chaos-audit-")), "audit.jsonl");
const cli = (args: string[], auditLog: string) => runCli([...args, "--config", configPath], { ...monitoring.env, BULWARK_AUDIT_LOG: auditLog });

beforeAll(async () => {
  monitoring = await startTestMonitoring({ ruleFiles: shippedRuleFiles() });
  configPath = writeConfig();
});

afterAll(async () => {
  await monitoring?.[Symbol.asyncDispose]();
});

describe("bulwark alert with a chaos trigger", () => {
  it("a demo-fault experiment: the alert fires, notifies and resolves, measured from the fault window bulwark recorded", async () => {
    const reports = temporaryReportsRoot();
    const auditLog = newAuditLog();
    const { code, stdout, stderr } = await cli(["alert", "errors-by-chaos", "--out", reports, "--json"], auditLog);
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout) as RunSummary;
    const step = summary.steps[0]!;
    expect(step.checks.map((check) => [check.kind, check.name, check.verdict])).toEqual([
      ["injection", "the load saw the fault (chaos experiment demo-errors: demo-fault errors 50 %)", "pass"],
      ["injection", "injection errors", "pass"],
      ["safety", "every fault removed, rollbacks done", "pass"],
      ["alert", "DemoHighErrorRate fires within 30 s of the fault", "pass"],
      ["alert", "DemoHighErrorRate notifies bulwark-webhook within 30 s of the fault", "pass"],
      ["alert", "DemoHighErrorRate resolves within 60 s of the fault's removal", "pass"],
    ]);

    // The fault window is the chaos journal's: the instants the demo target reported applying the fault and removing it.
    const runDirectory = join(reports, summary.runId);
    const journal = readFileSync(join(runDirectory, step.artifacts.chaosJournal!), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { at: string; event: string; detail: string });
    const injected = journal.find((entry) => entry.event === "fault-injected")!;
    const removed = journal.find((entry) => entry.event === "fault-removed")!;
    expect(removed.detail).toContain("the alert check is done with it");
    const artifact = JSON.parse(readFileSync(join(runDirectory, step.artifacts.alert!), "utf8")) as AlertArtifact;
    expect(artifact.trigger).toBe("chaos experiment demo-errors: demo-fault errors 50 %");
    expect(artifact.facts.faultStartMs).toBe(Date.parse(injected.at));
    expect(artifact.facts.faultEndMs).toBe(Date.parse(removed.at));
    const fault = step.phases!.find((phase) => phase.kind === "fault")!;
    expect([fault.startedAt, fault.endedAt]).toEqual([injected.at, removed.at]);

    // Measured from that window: fired no sooner than the rule's `for` (5 s), resolved after the removal.
    const fire = step.checks.find((check) => check.name.includes("fires within"))!;
    expect(fire.observed).toBeCloseTo((artifact.facts.observed.firingMs! - artifact.facts.faultStartMs) / 1000, 3);
    expect(fire.observed!).toBeGreaterThanOrEqual(5);
    expect(artifact.facts.observed.resolvedMs!).toBeGreaterThan(artifact.facts.faultEndMs);
    expect(artifact.facts.observed.notification!.receiver).toBe("bulwark-webhook");

    const events = step.timeline!.map((event) => event.event);
    expect(events.indexOf("fault-injected")).toBeLessThanOrEqual(events.indexOf("injection-confirmed"));
    expect(events.indexOf("injection-confirmed")).toBeLessThan(events.indexOf("alert-firing"));
    expect(events.indexOf("alert-firing")).toBeLessThan(events.indexOf("fault-removed"));
    expect(events).toContain("rollback");
    expect(auditLines(auditLog).map((line) => `${line.action} ${line.result}`)).toEqual([
      "alert-fault-inject started",
      "chaos demo-fault on started",
      "chaos demo-fault on succeeded",
      "alert-fault-inject succeeded",
      "chaos demo-fault off reverted",
      "chaos rollback succeeded",
      "alert-fault-remove reverted",
    ]);
  });

  it("guardrails refuse with exit 2 and one line naming the field, before any load or fault", async () => {
    const refusals: [string[], RegExp][] = [
      [["alert", "errors-by-chaos", "--env", "no-chaos"], /^bulwark: alertChecks\.errors-by-chaos\.trigger\.chaos: environment 'no-chaos' does not allow chaos \(environments\.no-chaos\.allowChaos is false\); nothing was injected$/],
      [["alert", "errors-by-chaos", "--env", "prod"], /^bulwark: alertChecks\.errors-by-chaos\.trigger\.chaos: environment 'prod' is production .*--confirm-production prod/],
      [["alert", "errors-by-chaos", "--env", "other-namespace"], /^bulwark: alertChecks\.errors-by-chaos\.trigger\.chaos: experiments\.demo-errors\.target\.namespace: namespace 'bulwark-demo' not allow-listed/],
      [["alert", "faults-in-sequence"], /^bulwark: alertChecks\.faults-in-sequence\.trigger\.chaos: experiment 'demo-errors-then-slow' has 2 faults in sequence/],
    ];
    for (const [args, message] of refusals) {
      const auditLog = newAuditLog();
      const reports = temporaryReportsRoot();
      const { code, stderr } = await cli([...args, "--out", reports], auditLog);
      expect(code, `${args.join(" ")}: ${stderr}`).toBe(2);
      expect(stderr.trim().split("\n"), stderr).toHaveLength(1);
      expect(stderr.trim()).toMatch(message);
      expect(auditLines(auditLog)).toEqual([]);
    }
  });

  it("an experiment the project does not define is a config error (exit 2)", async () => {
    const config = JSON.parse(readFileSync(configPath, "utf8")) as Record<string, any>;
    config.alertChecks["no-such"] = { ...config.alertChecks["errors-by-chaos"], trigger: { chaos: "no-such-experiment" } };
    const path = join(mkdtempSync(join(tmpdir(), "bulwark-alert-chaos-unknown-")), "bulwark.config.json");
    writeFileSync(path, JSON.stringify(config));
    const { code, stderr } = await runCli(["alert", "no-such", "--config", path, "--out", temporaryReportsRoot()], { ...monitoring.env, BULWARK_AUDIT_LOG: newAuditLog() });
    expect(code, stderr).toBe(2);
    expect(stderr).toMatch(/alertChecks\.no-such\.trigger\.chaos: unknown experiment 'no-such-experiment' \(known: demo-errors, demo-errors-then-slow; built-in: demo-latency, network-delay-demo, pod-failure-demo, pod-kill-demo\)$/m);
  });

  it("interrupted while the fault is in: exit 130, the fault taken out, the report marked aborted", async () => {
    const auditLog = newAuditLog();
    const run = startCli(["alert", "errors-by-chaos", "--config", configPath, "--out", temporaryReportsRoot(), "--json"], { ...monitoring.env, BULWARK_AUDIT_LOG: auditLog });
    await waitFor(() => auditLines(auditLog).some((line) => line.action === "chaos demo-fault on" && line.result === "succeeded"), { timeoutMs: 60_000, intervalMs: 100, description: "the chaos fault to be in" });
    run.child.kill("SIGINT");
    const { code, stdout } = await run.result;
    expect(code).toBe(130);
    const step = (JSON.parse(stdout) as RunSummary).steps[0]!;
    expect(step.verdict).toBe("aborted");
    expect(step.checks.find((check) => check.name === "every fault removed, rollbacks done")?.verdict).toBe("pass");
    expect(auditLines(auditLog).map((line) => `${line.action} ${line.result}`)).toEqual(expect.arrayContaining(["chaos demo-fault off reverted", "alert-fault-remove reverted"]));
  });
});
