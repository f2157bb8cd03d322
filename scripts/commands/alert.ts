import { booleanFlag, confirmProductionFlag, flagLabel, stringFlag, type Command } from "./command.ts";
import { UsageError } from "../core/errors.ts";
import { printJson, say, table } from "../core/output.ts";
import { loadConfig, pickEnvironment } from "../registry/config.ts";
import { withAlerts } from "../kinds/alert/definition.ts";
import { plannedAlertStep } from "../kinds/alert/kind.ts";
import { plannedAlertRulesStep } from "../kinds/alert/rules-kind.ts";
import { describeTrigger } from "../kinds/alert/trigger.ts";
import { localEstate } from "./estate.ts";
import { executeSteps } from "./run-steps.ts";
import { finishLoadRun } from "./finish-load-run.ts";
import { quoteName } from "../core/quote-value.ts";

export const alertCommand: Command = {
  name: "alert",
  summary: "verify alerting: time from an injected fault to the firing alert and its notification; promtool/amtool checks",
  help: `Usage: bulwark alert <check> [--env <name>] [--confirm-production <env>] [--out <dir>] [--config <file>] [--json]
       bulwark alert list [--json]

An alert check (alertChecks.<name>) runs a load, injects a fault at a recorded instant, and measures
how long Prometheus takes to make the alert pending and firing, how long until Alertmanager's webhook
notification reaches bulwark's listener on 127.0.0.1, and how long until it resolves after the fault is
removed; each budget is a check. The report decomposes the time to firing (scrape, range window, rule
evaluation, for, group wait) from Prometheus's own timestamps. Static checks (alertRules.<name>) run
promtool check rules, promtool test rules and amtool check-config from the estate's images.
With --env local, start Prometheus and Alertmanager first: bulwark local up --monitoring (docs/alerts.md).

Flags:
  --env <name>                 environment from the config (default: the config's defaultEnvironment) [BULWARK_ENV]
  --confirm-production <env>   required for a chaos trigger in an environment with production: true: its name again
  --out <dir>                  root folder of run directories (default: reports/) [BULWARK_REPORTS_DIR]
  --config <file>              config file (default: the embedded bulwark.config.json) [BULWARK_CONFIG]
  --json                       print summary.json on stdout at the end (the checks with list)

The trigger is a demo-target fault or a chaos experiment (trigger.chaos: its guardrails are checked
first, its faults go in and out as 'bulwark chaos' puts them, the fault window is recorded by bulwark).

Exit codes: 0 every budget met, 1 a budget missed (or a rule or config invalid), 2 bad input (unknown
check, an alert no Prometheus rule defines, a chaos trigger a guardrail refuses; nothing injected),
3 Prometheus, Alertmanager, Docker or the cluster unreachable (nothing injected), 130 interrupted
(fault removed).

Examples:
  bulwark local up --monitoring
  bulwark alert alert-errors-demo
  bulwark alert demo-rules
  bulwark alert list
`,
  options: {
    env: { type: "string" },
    out: { type: "string" },
    config: { type: "string" },
    "confirm-production": { type: "string" },
  },
  async run(context) {
    const [name, ...extra] = context.positionals;
    if (!name) throw new UsageError("alert: name an alert check, or 'list' (see 'bulwark alert --help')");
    if (extra.length > 0) throw new UsageError(`alert: unexpected argument ${quoteName(extra[0]!)}`);
    const json = booleanFlag(context, "json");
    const config = withAlerts(await loadConfig(stringFlag(context, "config")));

    if (name === "list") {
      // list runs nothing, but a wrong --env is still a mistake worth saying.
      if (stringFlag(context, "env", "BULWARK_ENV") !== undefined) pickEnvironment(config, stringFlag(context, "env", "BULWARK_ENV"), flagLabel(context, "env", "BULWARK_ENV"));
      const checks = [
        ...Object.entries(config.alertChecks).map(([checkName, check]) => ({ name: checkName, kind: "alert", what: `${check.alert} after ${describeTrigger(check.trigger)}; fire within ${check.budgets.fireWithin}`, description: check.description })),
        ...Object.entries(config.alertRules).map(([rulesName, rules]) => ({ name: rulesName, kind: "alert-rules", what: `${rules.ruleFiles.length} rule file(s), ${rules.ruleTests.length} test(s), ${rules.alertmanagerConfigs.length} Alertmanager config(s)`, description: rules.description })),
      ];
      if (json) printJson(checks);
      else if (checks.length === 0) say("no alert checks defined (add them under alertChecks or alertRules in the config)");
      else process.stdout.write(table([["CHECK", "KIND", "WHAT", "DESCRIPTION"], ...checks.map((check) => [check.name, check.kind, check.what, check.description])]) + "\n");
      return 0;
    }

    const isCheck = Object.hasOwn(config.alertChecks, name);
    if (!isCheck && !Object.hasOwn(config.alertRules, name)) {
      const known = [...Object.keys(config.alertChecks), ...Object.keys(config.alertRules)];
      throw new UsageError(`alert: unknown alert check ${quoteName(name)} (known: ${known.join(", ") || "none"})`);
    }
    const { name: environmentName } = pickEnvironment(config, stringFlag(context, "env", "BULWARK_ENV"), flagLabel(context, "env", "BULWARK_ENV"));
    const reportsRoot = stringFlag(context, "out", "BULWARK_REPORTS_DIR");
    const confirmProduction = confirmProductionFlag(context, environmentName);
    const result = await executeSteps({
      kind: "alert",
      name,
      steps: [isCheck ? plannedAlertStep(name, name) : plannedAlertRulesStep(name, name)],
      config,
      environmentName,
      estate: localEstate(),
      abortSignal: context.abortSignal,
      ...(reportsRoot ? { reportsRoot } : {}),
      ...(confirmProduction !== undefined ? { confirmProduction } : {}),
    });
    return finishLoadRun(result, json);
  },
};
