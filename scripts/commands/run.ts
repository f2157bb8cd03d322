import { booleanFlag, flagLabel, stringFlag, type Command } from "./command.ts";
import { named } from "../../thresholds/load-config.ts";
import { quoteName } from "../core/quote-value.ts";
import { UsageError } from "../core/errors.ts";
import { loadConfig } from "../registry/config.ts";
import { executeSteps } from "./run-steps.ts";
import { chooseProfile } from "../kinds/load/plan.ts";
import { parseRunners, parseRunnersOn, plannedLoadStep } from "../kinds/load/kind.ts";
import { findScenario, listScenarios } from "../kinds/load/scenarios.ts";
import { loadFlagsHelp, loadOptions, sharedRunFlags } from "./load-flags.ts";
import { chooseEnvironment } from "./target-environment.ts";
import { finishLoadRun } from "./finish-load-run.ts";

export const runCommand: Command = {
  name: "run",
  summary: "run one scenario on the load engine with its SLO thresholds",
  help: `Usage: bulwark run <scenario> [flags]

Runs one scenario on the load engine with the SLO thresholds of the endpoints it calls, and writes
reports/<run-id>/ (summary.json, junit.xml, summary.md).

Scenarios: the built-in ones (${["endpoints", "smoke", "browse-catalog", "place-order"].join(", ")}) and the project's (its scenariosDir, default scenarios/); 'bulwark list' shows them all.

${loadFlagsHelp}  --runners <n>         split the load across n engine processes (execution segments), one merged verdict [BULWARK_RUNNERS]
  --runners-on <where>  local (engine processes here, the default) or kubernetes (an Indexed Job of runner pods in
                        the environment's cluster, set up by the config's runnerJob) [BULWARK_RUNNERS_ON]

Examples:
  bulwark run smoke
  bulwark run browse-catalog --profile stress
  bulwark run smoke --demo-fault latency=300ms       # watch the p95 threshold fail (exit 1)
  bulwark run browse-catalog --env staging --target https://staging.internal.example
  bulwark run endpoints --target http://127.0.0.1:8080 --duration 10s   # every configured endpoint, a quick look
  bulwark run browse-catalog --runners 3              # three engine processes, thresholds judged once on the whole
  bulwark run browse-catalog --env staging --runners 4 --runners-on kubernetes   # four runner pods, one verdict
`,
  options: { ...loadOptions, runners: { type: "string" }, "runners-on": { type: "string" } },
  async run(context) {
    const [scenario, ...extra] = context.positionals;
    if (!scenario) throw new UsageError("run: missing <scenario> (see 'bulwark list')");
    if (extra.length > 0) throw new UsageError(`run: unexpected argument ${quoteName(extra[0]!)}`);
    const config = await loadConfig(stringFlag(context, "config"), { abortSignal: context.abortSignal });
    if (!findScenario(scenario)) throw new UsageError(`run: unknown scenario ${quoteName(scenario)} (known: ${listScenarios().map((entry) => entry.name).join(", ")})`);
    const { config: runConfig, environmentName, environment } = chooseEnvironment(config, context);
    const profileFlag = stringFlag(context, "profile");
    if (profileFlag !== undefined && !named(config.profiles, profileFlag)) throw new UsageError(`--profile: unknown profile ${quoteName(profileFlag)} (known: ${Object.keys(config.profiles).join(", ")})`);
    const profileName = chooseProfile({ flag: profileFlag, scenario });
    const runners = parseRunners(stringFlag(context, "runners", "BULWARK_RUNNERS"), flagLabel(context, "runners", "BULWARK_RUNNERS"));
    const runnersOn = parseRunnersOn(stringFlag(context, "runners-on", "BULWARK_RUNNERS_ON"), flagLabel(context, "runners-on", "BULWARK_RUNNERS_ON"));
    const result = await executeSteps({
      kind: "run",
      name: scenario,
      steps: [plannedLoadStep(scenario, scenario, profileName, runners, runnersOn)],
      config: runConfig,
      environmentName,
      ...sharedRunFlags(context, environment),
    });
    return finishLoadRun(result, booleanFlag(context, "json"));
  },
};
