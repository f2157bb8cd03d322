import { booleanFlag, flagLabel, stringFlag, type Command } from "./command.ts";
import { UsageError } from "../core/errors.ts";
import { formatMs } from "../core/format.ts";
import { printJson, say, table } from "../core/output.ts";
import { loadConfig, pickEnvironment } from "../registry/config.ts";
import { formatPlan, planDrill } from "../../chaos/drills/index.ts";
import { resolveTargets, withDrills } from "../../chaos/drills/definition.ts";
import { plannedDrillStep } from "../../chaos/drills/kind.ts";
import { localEstate } from "./estate.ts";
import { executeSteps } from "./run-steps.ts";
import { finishLoadRun } from "./finish-load-run.ts";
import { quoteName } from "../core/quote-value.ts";

export const drillCommand: Command = {
  name: "drill",
  summary: "run a restore drill: measured RTO and RPO, integrity checks, evidence report",
  help: `Usage: bulwark drill <drill> [--env <name>] [--dry-run] [--confirm-destroy <env>] [--out <dir>] [--config <file>] [--json]
       bulwark drill list [--json]

A restore drill destroys a data store or service on purpose, restores it, and measures from the
outside how long users were down (RTO) and how many acknowledged writes were lost (RPO). A drill is a
run with one drill step: reports/<run-id>/ holds summary.json, junit.xml, summary.md and report.html,
and the drill's evidence folder (drill.json, drill.md, the write ledger and the availability samples);
every action is appended to the audit log.

Flags:
  --env <name>              environment from the config (default: the config's defaultEnvironment) [BULWARK_ENV]
  --dry-run                 print the plan and exit; nothing is started or destroyed
  --confirm-destroy <env>   required to run: the environment name again, and the environment must
                            have allowDestructive: true
  --out <dir>               root folder of run directories (default: reports/) [BULWARK_REPORTS_DIR]
  --config <file>           config file (default: the embedded bulwark.config.json) [BULWARK_CONFIG]
  --json                    print summary.json on stdout at the end (the plan with --dry-run, the drills with list)

Exit codes: 0 drill passed, 1 RTO/RPO over target, restore or integrity failed, 2 bad input or
destruction not allowed/confirmed (nothing touched), 3 setup failed before the disaster, 130 interrupted.

Examples:
  bulwark drill list
  bulwark drill postgres-pitr --dry-run
  bulwark drill postgres-pitr --env local --confirm-destroy local
`,
  options: {
    env: { type: "string" },
    "dry-run": { type: "boolean" },
    "confirm-destroy": { type: "string" },
    out: { type: "string" },
    config: { type: "string" },
  },
  async run(context) {
    const [name, ...extra] = context.positionals;
    if (!name) throw new UsageError("drill: name a drill, or 'list' (see 'bulwark drill --help')");
    if (extra.length > 0) throw new UsageError(`drill: unexpected argument ${quoteName(extra[0]!)}`);
    const json = booleanFlag(context, "json");
    const config = withDrills(await loadConfig(stringFlag(context, "config")));

    if (name === "list") {
      const drills = Object.entries(config.drills).map(([drillName, definition]) => ({ name: drillName, kind: definition.kind, description: definition.description, targets: resolveTargets(definition, config.recovery) }));
      if (json) printJson(drills);
      else if (drills.length === 0) say("no drills defined (add them under drills in the config)");
      else {
        process.stdout.write(
          table([["DRILL", "KIND", "RTO", "RPO", "DESCRIPTION"], ...drills.map((drill) => [drill.name, drill.kind, `< ${formatMs(drill.targets.rtoMs)}`, `< ${formatMs(drill.targets.rpoMs)}`, drill.description])]) + "\n",
        );
      }
      return 0;
    }

    const { name: environmentName } = pickEnvironment(config, stringFlag(context, "env", "BULWARK_ENV"), flagLabel(context, "env", "BULWARK_ENV"));
    const confirmDestroy = stringFlag(context, "confirm-destroy");
    if (booleanFlag(context, "dry-run")) {
      const plan = planDrill({ config, drill: name, environment: environmentName, confirmDestroy });
      if (json) printJson(plan);
      else process.stdout.write(formatPlan(plan) + "\n");
      return 0;
    }

    const reportsRoot = stringFlag(context, "out", "BULWARK_REPORTS_DIR");
    const result = await executeSteps({
      kind: "drill",
      name,
      steps: [plannedDrillStep(name, name)],
      config,
      environmentName,
      estate: localEstate(),
      abortSignal: context.abortSignal,
      ...(confirmDestroy ? { confirmDestroy } : {}),
      ...(reportsRoot ? { reportsRoot } : {}),
    });
    return finishLoadRun(result, json);
  },
};
