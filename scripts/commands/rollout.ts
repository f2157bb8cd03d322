import { booleanFlag, flagLabel, stringFlag, type Command } from "./command.ts";
import { ExitCode, UsageError } from "../core/errors.ts";
import { printJson, say, table } from "../core/output.ts";
import { loadConfig, pickEnvironment } from "../registry/config.ts";
import type { RolloutConfig } from "../kinds/rollout/definition.ts";
import { plannedRolloutStep } from "../kinds/rollout/kind.ts";
import { localEstate } from "./estate.ts";
import { executeSteps } from "./run-steps.ts";
import { finishLoadRun } from "./finish-load-run.ts";
import { quoteName } from "../core/quote-value.ts";

export const rolloutCommand: Command = {
  name: "rollout",
  summary: "roll a Deployment out under load: time to complete, a bad release detected and rolled back, SLOs during the rollout",
  help: `Usage: bulwark rollout <check> [--env <name>] [--confirm-production <env>] [--out <dir>] [--config <file>] [--json]
       bulwark rollout list [--json]

A rollout check (rolloutChecks.<name> in the config) changes a Deployment's pod template (an image or a
template patch) while a load runs, watches its ReplicaSets and conditions, and judges: the rollout
completes within its budget, or (outcome rolled-back) a deliberately bad change is detected by the
progress deadline, by readiness never reached or by an SLO breach, and rolled back, with time to detect
and time to restore measured. The rollback is what 'kubectl rollout undo' does. The check always leaves
the Deployment on its original pod template: after a good rollout it reverts it, and it puts it back on
failure, error and Ctrl-C. A run is a run directory like any other (report.html shades the rollout and
rollback phases next to the ReplicaSets' ready replicas); every change goes to the audit log.
With simulated pods (KWOK) the SLO during the rollout is reported "not applicable", never "pass".

Flags:
  --env <name>                 environment from the config (default: its defaultEnvironment) [BULWARK_ENV]
  --confirm-production <env>   required in an environment with production: true: its name again
  --out <dir>                  root folder of run directories (default: reports/) [BULWARK_REPORTS_DIR]
  --config <file>              config file (default: bulwark.config.json) [BULWARK_CONFIG]
  --json                       print summary.json (the list with list) on stdout

Exit codes: 0 every check passed, 1 a check failed (rollout too slow or stuck, bad change not detected
or not restored in time, SLO breached during the rollout), 2 bad input (unknown check, no such
Deployment, a change the API server refuses), 3 cluster or load tooling unavailable, 130 interrupted
(the Deployment is put back on its original template).

Examples:
  bulwark rollout list
  bulwark rollout rollout-demo --env local
  bulwark rollout bad-release-demo --env local
`,
  options: {
    env: { type: "string" },
    "confirm-production": { type: "string" },
    out: { type: "string" },
    config: { type: "string" },
  },
  async run(context) {
    const [name, ...extra] = context.positionals;
    if (!name) throw new UsageError("rollout: name a rollout check, or 'list' (see 'bulwark rollout --help')");
    if (extra.length > 0) throw new UsageError(`rollout: unexpected argument ${quoteName(extra[0]!)}`);
    const json = booleanFlag(context, "json");
    const config = await loadConfig(stringFlag(context, "config"), { abortSignal: context.abortSignal });
    const checks = (config as unknown as RolloutConfig).rolloutChecks ?? {};

    if (name === "list") {
      // list runs nothing, but a wrong --env is still a mistake worth saying.
      if (stringFlag(context, "env", "BULWARK_ENV") !== undefined) pickEnvironment(config, stringFlag(context, "env", "BULWARK_ENV"), flagLabel(context, "env", "BULWARK_ENV"));
      const rows = Object.entries(checks).map(([checkName, check]) => ({
        name: checkName,
        deployment: `${check.namespace}/${check.deployment}`,
        change: check.change.image ?? "template patch",
        outcome: check.expect.outcome,
        load: check.load ? `${check.load.scenario} (${check.load.profile})` : "none",
        description: check.description,
      }));
      if (json) printJson(rows);
      else if (rows.length === 0) say("no rollout checks defined (add them under rolloutChecks in the config)");
      else process.stdout.write(table([["CHECK", "DEPLOYMENT", "CHANGE", "OUTCOME", "LOAD", "DESCRIPTION"], ...rows.map((row) => [row.name, row.deployment, row.change, row.outcome, row.load, row.description])]) + "\n");
      return ExitCode.pass;
    }

    if (!Object.hasOwn(checks, name)) throw new UsageError(`rollout: unknown rollout check ${quoteName(name)} (known: ${Object.keys(checks).join(", ") || "none; add them under rolloutChecks"})`);
    const { name: environmentName } = pickEnvironment(config, stringFlag(context, "env", "BULWARK_ENV"), flagLabel(context, "env", "BULWARK_ENV"));
    const confirmProduction = stringFlag(context, "confirm-production");
    const reportsRoot = stringFlag(context, "out", "BULWARK_REPORTS_DIR");
    const result = await executeSteps({
      kind: "rollout",
      name,
      steps: [plannedRolloutStep(name, name)],
      config,
      environmentName,
      estate: localEstate(),
      abortSignal: context.abortSignal,
      ...(confirmProduction !== undefined ? { confirmProduction } : {}),
      ...(reportsRoot ? { reportsRoot, reportsRootLabel: flagLabel(context, "out", "BULWARK_REPORTS_DIR") } : {}),
    });
    return finishLoadRun(result, json);
  },
};
