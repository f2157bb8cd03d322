// Static alerting checks with the real promtool and amtool, run from the estate's Prometheus and
// Alertmanager images: valid files pass, broken ones fail naming the file (and the rule).
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoPath } from "../../scripts/core/repo-root.ts";
import type { RunSummary } from "../../reports/summary-schema.ts";
import { runCli, temporaryReportsRoot } from "../support/run-cli.ts";
import { startTestMonitoring } from "../support/monitoring-fixture.ts";

const brokenRules = `groups:
  - name: broken
    rules:
      - alert: WellFormed
        expr: up == 0
      - alert: BrokenRule
        expr: sum(rate(demo_http_requests_total[5m]) >
`;

/** A unit test whose expectation is wrong: the alert fires, the test says it does not. */
const wrongTest = (ruleFile: string) => `rule_files: [${ruleFile}]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'up{job="x"}'
        values: '0 0 0'
    alert_rule_test:
      - eval_time: 2m
        alertname: TargetDown
        exp_alerts: []
`;

const downRule = `groups:
  - name: down
    rules:
      - alert: TargetDown
        expr: up == 0
`;

/** A route to a receiver that is not defined. */
const brokenAlertmanager = `route:
  receiver: pager
receivers:
  - name: email
`;

function writeFiles(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "bulwark-alert-rules-"));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

function configWith(alertRules: Record<string, unknown>): string {
  const config = JSON.parse(readFileSync(repoPath("bulwark.config.json"), "utf8")) as Record<string, unknown>;
  config.alertRules = alertRules;
  config.suites = { nightly: (config.suites as Record<string, unknown>).nightly };
  const path = join(mkdtempSync(join(tmpdir(), "bulwark-alert-rules-config-")), "bulwark.config.json");
  writeFileSync(path, JSON.stringify(config));
  return path;
}

describe("bulwark alert <rules>: promtool and amtool", () => {
  it("the shipped demo-rules pass: rule syntax, rule unit tests, and the Alertmanager config the local estate runs with", async () => {
    await using monitoring = await startTestMonitoring();
    const dir = writeFiles({});
    const config = configWith({
      "demo-rules": {
        ruleFiles: [repoPath("scripts/local/monitoring/rules/demo.rules.yml")],
        ruleTests: [repoPath("scripts/local/monitoring/rules/demo.rules.test.yml")],
        alertmanagerConfigs: [join(monitoring.stateDir, "alertmanager.yml")],
      },
    });
    const { code, stdout, stderr } = await runCli(["alert", "demo-rules", "--config", config, "--out", temporaryReportsRoot(), "--json"], { BULWARK_AUDIT_LOG: join(dir, "audit.jsonl") });
    expect(code, stderr).toBe(0);
    const checks = (JSON.parse(stdout) as RunSummary).steps[0]!.checks;
    expect(checks.map((check) => [check.kind, check.name, check.verdict])).toEqual([
      ["static", `promtool check rules ${repoPath("scripts/local/monitoring/rules/demo.rules.yml")}`, "pass"],
      ["static", `promtool test rules ${repoPath("scripts/local/monitoring/rules/demo.rules.test.yml")}`, "pass"],
      ["static", `amtool check-config ${join(monitoring.stateDir, "alertmanager.yml")}`, "pass"],
    ]);
    expect(checks[0]!.reason).toMatch(/SUCCESS: 2 rules found/);
  });

  it("the embedded config's demo-rules step passes as shipped", async () => {
    const { code, stderr } = await runCli(["alert", "demo-rules", "--out", temporaryReportsRoot()]);
    expect(code, stderr).toBe(0);
  });

  it("broken files fail (exit 1), each check naming the file, and the broken rule by name", async () => {
    const dir = writeFiles({ "broken.rules.yml": brokenRules, "down.rules.yml": downRule, "down.test.yml": wrongTest("down.rules.yml"), "alertmanager.yml": brokenAlertmanager });
    const config = configWith({
      broken: { ruleFiles: [join(dir, "broken.rules.yml"), join(dir, "down.rules.yml")], ruleTests: [join(dir, "down.test.yml")], alertmanagerConfigs: [join(dir, "alertmanager.yml")] },
    });
    const { code, stdout, stderr } = await runCli(["alert", "broken", "--config", config, "--out", temporaryReportsRoot(), "--json"]);
    expect(code, stderr).toBe(1);
    const checks = (JSON.parse(stdout) as RunSummary).steps[0]!.checks;
    const byName = Object.fromEntries(checks.map((check) => [check.name, check]));
    const brokenCheck = byName[`promtool check rules ${join(dir, "broken.rules.yml")}`]!;
    expect(brokenCheck.verdict).toBe("fail");
    expect(brokenCheck.reason).toContain(join(dir, "broken.rules.yml"));
    expect(brokenCheck.reason).toContain("BrokenRule");
    expect(byName[`promtool check rules ${join(dir, "down.rules.yml")}`]!.verdict).toBe("pass");
    const testCheck = byName[`promtool test rules ${join(dir, "down.test.yml")}`]!;
    expect(testCheck.verdict).toBe("fail");
    expect(testCheck.reason).toContain(join(dir, "down.test.yml"));
    expect(testCheck.reason).toContain("TargetDown");
    const amCheck = byName[`amtool check-config ${join(dir, "alertmanager.yml")}`]!;
    expect(amCheck.verdict).toBe("fail");
    expect(amCheck.reason).toContain(join(dir, "alertmanager.yml"));
    expect(amCheck.reason).toContain('"pager"');
  });

  it("a rule file that does not exist: exit 2 naming the field", async () => {
    const config = configWith({ missing: { ruleFiles: [join(tmpdir(), "no-such-dir", "x.rules.yml")] } });
    const { code, stderr } = await runCli(["alert", "missing", "--config", config]);
    expect(code, stderr).toBe(2);
    expect(stderr).toMatch(/alertRules\.missing\.ruleFiles\.0: file .*x\.rules\.yml not found/);
  });
});
