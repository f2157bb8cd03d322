import { booleanFlag, stringFlag, type Command } from "./command.ts";
import { UsageError } from "../core/errors.ts";
import { loadConfig, pickEnvironment } from "../registry/config.ts";
import { executeSteps } from "./run-steps.ts";
import { chooseProfile } from "../kinds/load/plan.ts";
import { plannedLoadStep } from "../kinds/load/kind.ts";
import { findScenario, scenarioCatalog } from "../../scenarios/catalog.ts";
import { loadFlagsHelp, loadOptions, sharedRunFlags } from "./load-flags.ts";
import { finishLoadRun } from "./finish-load-run.ts";

export const runCommand: Command = {
  name: "run",
  summary: "run one scenario on the load engine with its SLO thresholds",
  help: `Usage: bulwark run <scenario> [flags]

Runs one scenario on the load engine with the SLO thresholds of the endpoints it calls, and writes
reports/<run-id>/ (summary.json, junit.xml, summary.md).

Scenarios: ${scenarioCatalog.map((entry) => entry.name).join(", ")}

${loadFlagsHelp}
Examples:
  bulwark run smoke
  bulwark run browse-catalog --profile stress
  bulwark run smoke --demo-fault latency=300ms       # watch the p95 threshold fail (exit 1)
  bulwark run browse-catalog --env staging --target https://staging.internal.example
`,
  options: loadOptions,
  async run(context) {
    const [scenario, ...extra] = context.positionals;
    if (!scenario) throw new UsageError("run: missing <scenario> (see 'bulwark list')");
    if (extra.length > 0) throw new UsageError(`run: unexpected argument '${extra[0]}'`);
    if (!findScenario(scenario)) throw new UsageError(`run: unknown scenario '${scenario}' (known: ${scenarioCatalog.map((entry) => entry.name).join(", ")})`);
    const config = await loadConfig(stringFlag(context, "config"));
    const { name: environmentName, environment } = pickEnvironment(config, stringFlag(context, "env", "BULWARK_ENV"));
    const profileName = chooseProfile({ flag: stringFlag(context, "profile"), scenario });
    const result = await executeSteps({
      kind: "run",
      name: scenario,
      steps: [plannedLoadStep(scenario, scenario, profileName)],
      config,
      environmentName,
      ...sharedRunFlags(context, environment),
    });
    return finishLoadRun(result, booleanFlag(context, "json"));
  },
};
