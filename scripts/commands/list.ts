import { booleanFlag, stringFlag, type Command } from "./command.ts";
import { loadConfig } from "../registry/config.ts";
import type { BulwarkConfig } from "../registry/registry.ts";
import { printJson, say, table } from "../core/output.ts";
import { listScenarios } from "../kinds/load/scenarios.ts";
import { withAlerts, type AlertCheck } from "../kinds/alert/definition.ts";
import { hpaNameOf, type ScalingConfig } from "../kinds/scaling/definition.ts";
import type { RolloutConfig } from "../kinds/rollout/definition.ts";
import { withDrills, type DrillsConfig } from "../../chaos/drills/definition.ts";
import { experimentRows } from "./chaos.ts";

const loadOf = (load: { scenario: string; profile: string } | undefined): string => (load ? `${load.scenario} (${load.profile})` : "");

function triggerOf(check: AlertCheck): string {
  const trigger = check.trigger as Record<string, unknown>;
  if ("chaos" in trigger) return `chaos ${String(trigger.chaos)}`;
  const fault = (trigger as { demoFault: { errorRate: number; latencyMs: number } }).demoFault;
  return ["demo-fault", fault.errorRate > 0 ? `errors ${Math.round(fault.errorRate * 1000) / 10} %` : "", fault.latencyMs > 0 ? `latency ${fault.latencyMs} ms` : ""].filter(Boolean).join(" ");
}

/** Everything a config defines that a command or a suite step can name, by kind. */
function listing(config: BulwarkConfig & DrillsConfig) {
  const { alertChecks, alertRules } = withAlerts(config);
  const { scalingChecks } = config as typeof config & ScalingConfig;
  const { rolloutChecks } = config as typeof config & RolloutConfig;
  return {
    scenarios: listScenarios().map((entry) => ({ name: entry.name, description: entry.description, defaultProfile: entry.defaultProfile, endpoints: entry.endpoints === "all" ? config.endpoints.map((endpoint) => endpoint.name) : [...entry.endpoints], origin: entry.origin })),
    suites: Object.entries(config.suites).map(([name, suite]) => ({ name, description: suite.description, steps: suite.steps.map((step) => ("scenario" in step ? String(step.scenario) : Object.entries(step).map(([key, value]) => `${key} ${String(value)}`).join(" "))) })),
    profiles: Object.entries(config.profiles).map(([name, profile]) => ({ name, executor: profile.executor })),
    drills: Object.entries(config.drills).map(([name, drill]) => ({ name, kind: drill.kind, description: drill.description })),
    experiments: experimentRows(config).map(({ name, title, faults, target, load, source, origin }) => ({ name, description: title, faults, target, load, source, origin })),
    alertChecks: Object.entries(alertChecks).map(([name, check]) => ({ name, description: check.description, alert: check.alert, trigger: triggerOf(check), load: loadOf(check.load) })),
    alertRules: Object.entries(alertRules).map(([name, rules]) => ({ name, description: rules.description, files: [...rules.ruleFiles, ...rules.ruleTests, ...rules.alertmanagerConfigs] })),
    scalingChecks: Object.entries(scalingChecks).map(([name, check]) => ({ name, description: check.description, target: `${check.workload.namespace}/${check.workload.deployment} (hpa ${hpaNameOf(check)})`, load: loadOf(check.load) })),
    rolloutChecks: Object.entries(rolloutChecks).map(([name, check]) => ({ name, description: check.description, target: `${check.namespace}/${check.deployment}`, outcome: check.expect.outcome, load: loadOf(check.load) })),
    environments: Object.entries(config.environments).map(([name, environment]) => ({ name, description: environment.description, demo: environment.demo })),
  };
}

/** A section of the human listing; an empty one says how to add an entry. */
function section(title: string, rows: string[][], whenEmpty: string): string {
  return `\n${title}:\n` + (rows.length === 0 ? `  (none: ${whenEmpty})` : table(rows.map(([first, ...rest]) => ["  " + first, ...rest])));
}

export const listCommand: Command = {
  name: "list",
  summary: "list scenarios, suites, profiles, drills, chaos experiments, alert, scaling and rollout checks, environments",
  help: `Usage: bulwark list [--json] [--config <file>]

Everything the config defines that a command or a suite step names: scenarios (bulwark run), suites
(bulwark gate), profiles, drills (bulwark drill), chaos experiments (bulwark chaos), alert checks and
alert rule checks (bulwark alert), scaling checks (bulwark scale), rollout checks (bulwark rollout) and
environments (--env).

Examples:
  bulwark list
  bulwark list --json | jq '.suites[].name'
  bulwark list --json | jq '.rolloutChecks[] | .name + ": " + .description'
`,
  options: { config: { type: "string" } },
  async run(context) {
    const entries = listing(withDrills(await loadConfig(stringFlag(context, "config"))));
    if (booleanFlag(context, "json")) {
      printJson(entries);
      return 0;
    }
    say("Scenarios (bulwark run):\n" + table(entries.scenarios.map((s) => ["  " + s.name, s.defaultProfile, s.description])));
    say(
      [
        section("Suites (bulwark gate)", entries.suites.map((s) => [s.name, s.description ?? "", s.steps.join(" -> ")]), "add suites in the config"),
        section("Profiles", entries.profiles.map((p) => [p.name, p.executor]), "add profiles in the config"),
        section("Drills (bulwark drill)", entries.drills.map((d) => [d.name, d.kind, d.description ?? ""]), "add drills in the config"),
        section("Chaos experiments (bulwark chaos)", entries.experiments.map((e) => [e.name, e.faults, e.target, e.description]), "add experiments, or <name>.json files in experimentsDir"),
        section("Alert checks (bulwark alert)", entries.alertChecks.map((a) => [a.name, `${a.alert} on ${a.trigger}`, a.description]), "add alertChecks in the config"),
        section("Alert rule checks (bulwark alert)", entries.alertRules.map((r) => [r.name, `${r.files.length} file(s)`, r.description]), "add alertRules in the config"),
        section("Scaling checks (bulwark scale)", entries.scalingChecks.map((c) => [c.name, c.target, c.description]), "add scalingChecks in the config"),
        section("Rollout checks (bulwark rollout)", entries.rolloutChecks.map((c) => [c.name, `${c.target} ${c.outcome}`, c.description]), "add rolloutChecks in the config"),
        section("Environments (--env)", entries.environments.map((e) => [e.name, e.demo ? "demo target" : "", e.description ?? ""]), "add environments in the config"),
      ].join("\n"),
    );
    return 0;
  },
};
