import { booleanFlag, stringFlag, type Command } from "../lib/command.ts";
import { UsageError } from "../lib/errors.ts";
import { loadConfig, pickEnvironment } from "../config.ts";
import { executeLoadRun, type PlannedStep } from "../load-run.ts";
import { chooseProfile } from "../plan.ts";
import type { BulwarkConfig } from "../../thresholds/schema.ts";
import { demoFaultsFlag, loadFlagsHelp, loadOptions, targetFlag } from "./load-flags.ts";
import { finishLoadRun } from "./finish-load-run.ts";

/** Step names are unique within a run: a scenario used twice gets a numbered name. */
function planSteps(config: BulwarkConfig, suiteName: string, environmentName: string, profileFlag: string | undefined): PlannedStep[] {
  const suite = config.suites[suiteName]!;
  const seen = new Map<string, number>();
  return suite.steps.map((step) => {
    const count = (seen.get(step.scenario) ?? 0) + 1;
    seen.set(step.scenario, count);
    const profileName = chooseProfile({
      flag: profileFlag,
      environmentSuiteProfile: config.environments[environmentName]?.suites[suiteName]?.profile,
      stepProfile: step.profile,
      suiteProfile: suite.profile,
      scenario: step.scenario,
    });
    return { stepName: count > 1 ? `${step.scenario}-${count}` : step.scenario, scenario: step.scenario, profileName };
  });
}

export const gateCommand: Command = {
  name: "gate",
  summary: "run a suite of steps (nightly, release, ...) and fail when any SLO is breached",
  help: `Usage: bulwark gate <suite> [flags]

Runs every step of a suite from the config in order and gives one verdict: exit 0 when every check
passed, 1 when an SLO was breached, 2 on bad input, 3 when the target or tooling failed.

${loadFlagsHelp}
Examples:
  bulwark gate nightly                          # against the embedded demo target
  bulwark gate nightly --demo-fault errors=5%   # watch the error-rate threshold fail
  bulwark gate release --env staging --json > summary.json
`,
  options: loadOptions,
  async run(context) {
    const [suiteName, ...extra] = context.positionals;
    if (!suiteName) throw new UsageError("gate: missing <suite> (see 'bulwark list')");
    if (extra.length > 0) throw new UsageError(`gate: unexpected argument '${extra[0]}'`);
    const config = await loadConfig(stringFlag(context, "config"));
    if (!config.suites[suiteName]) throw new UsageError(`gate: unknown suite '${suiteName}' (known: ${Object.keys(config.suites).join(", ")})`);
    const { name: environmentName } = pickEnvironment(config, stringFlag(context, "env", "BULWARK_ENV"));
    const profileFlag = stringFlag(context, "profile");
    if (profileFlag && !config.profiles[profileFlag]) throw new UsageError(`--profile: unknown profile '${profileFlag}' (known: ${Object.keys(config.profiles).join(", ")})`);
    const targetOverride = targetFlag(context);
    const reportsRoot = stringFlag(context, "out", "BULWARK_REPORTS_DIR");
    const result = await executeLoadRun({
      kind: "gate",
      name: suiteName,
      steps: planSteps(config, suiteName, environmentName, profileFlag),
      config,
      environmentName,
      demoFaults: demoFaultsFlag(context),
      abortSignal: context.abortSignal,
      ...(targetOverride ? { targetOverride } : {}),
      ...(reportsRoot ? { reportsRoot } : {}),
    });
    return finishLoadRun(result, booleanFlag(context, "json"));
  },
};
