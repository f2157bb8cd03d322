import { booleanFlag, stringFlag, type Command } from "./command.ts";
import { UsageError } from "../core/errors.ts";
import { bold, green, printJson, red, say, table } from "../core/output.ts";
import { defaultConfigPath, loadConfig, pickEnvironment } from "../registry/config.ts";
import { formatPlan, planDrill, startDrill } from "../../chaos/drills/index.ts";
import { resolveTargets, withDrills } from "../../chaos/drills/definition.ts";
import { localEstate } from "./estate.ts";
import { formatMs } from "../../chaos/drills/recovery-metrics.ts";
import type { DrillEvidence } from "../../chaos/drills/evidence.ts";

export const drillCommand: Command = {
  name: "drill",
  summary: "run a restore drill: measured RTO and RPO, integrity checks, evidence report",
  help: `Usage: bulwark drill <drill> [--env <name>] [--dry-run] [--confirm-destroy <env>] [--config <file>] [--json]
       bulwark drill list [--json]

A restore drill destroys a data store or service on purpose, restores it, and measures from the
outside how long users were down (RTO) and how many acknowledged writes were lost (RPO). Evidence goes
to reports/<run-id>/drill.json and drill.md; every action is appended to the audit log.

Flags:
  --env <name>              environment from the config (default: the config's defaultEnvironment; BULWARK_ENV)
  --dry-run                 print the plan and exit; nothing is started or destroyed
  --confirm-destroy <env>   required to run: the environment name again, and the environment must
                            have allowDestructive: true
  --config <file>           config file (default: the embedded bulwark.config.json; BULWARK_CONFIG)
  --json                    machine-readable output (the evidence, or the list)

Exit codes: 0 drill passed, 1 RTO/RPO over target, restore or integrity failed, 2 bad input or
destruction not allowed/confirmed (nothing touched), 3 setup failed before the disaster.

Examples:
  bulwark drill list
  bulwark drill postgres-pitr --dry-run
  bulwark drill postgres-pitr --env local --confirm-destroy local
`,
  options: {
    env: { type: "string" },
    "dry-run": { type: "boolean" },
    "confirm-destroy": { type: "string" },
    config: { type: "string" },
  },
  async run(context) {
    const [name, ...extra] = context.positionals;
    if (!name) throw new UsageError("drill: name a drill, or 'list' (see 'bulwark drill --help')");
    if (extra.length > 0) throw new UsageError(`drill: unexpected argument '${extra[0]}'`);
    const json = booleanFlag(context, "json");
    const config = withDrills(await loadConfig(stringFlag(context, "config", "BULWARK_CONFIG") ?? defaultConfigPath()));

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

    const { name: environment } = pickEnvironment(config, stringFlag(context, "env", "BULWARK_ENV"));
    const confirmDestroy = stringFlag(context, "confirm-destroy");
    if (booleanFlag(context, "dry-run")) {
      const plan = planDrill({ config, drill: name, environment, confirmDestroy });
      if (json) printJson(plan);
      else process.stdout.write(formatPlan(plan) + "\n");
      return 0;
    }

    const definition = config.drills[name];
    const postgresContainers = definition?.kind === "postgres-pitr" && definition.runner === "container" ? await localEstate().postgresContainers() : undefined;
    const { evidence, directory } = await startDrill({ config, drill: name, environment, confirmDestroy, log: say, signal: context.abortSignal, ...(postgresContainers ? { postgresContainers } : {}) });
    say(formatVerdict(evidence));
    say(`evidence: ${directory.file("drill.md")}`);
    if (json) printJson(evidence);
    return evidence.exitCode;
  },
};

function formatVerdict(evidence: DrillEvidence): string {
  const paint = (verdict: string) => (verdict === "pass" ? green("pass") : verdict === "no-data" ? "no data" : red(verdict));
  const rows = [["CHECK", "OBSERVED", "LIMIT", "VERDICT"]];
  for (const check of evidence.checks) {
    const seconds = check.unit === "s";
    rows.push([
      check.name,
      check.observed === null ? "-" : seconds ? formatMs(check.observed * 1000) : String(check.observed),
      check.limit === null ? "-" : seconds ? `< ${formatMs(check.limit * 1000)}` : String(check.limit),
      paint(check.verdict),
    ]);
  }
  const lost = evidence.rpo.lostSeqs.length;
  return [
    "",
    ...(rows.length > 1 ? [table(rows), ""] : []),
    `${bold(`drill ${evidence.drill}: ${paint(evidence.verdict)}`)}` +
      ` (RTO ${evidence.rto.ms === null ? "not measured" : formatMs(evidence.rto.ms)}, RPO ${evidence.rpo.ms === null ? "not measured" : formatMs(evidence.rpo.ms)}${evidence.probes.write ? `, ${lost} acknowledged write${lost === 1 ? "" : "s"} lost` : ""})` +
      (evidence.error ? `: ${evidence.error}` : ""),
  ].join("\n");
}
