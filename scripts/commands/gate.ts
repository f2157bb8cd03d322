import { booleanFlag, confirmProductionFlag, stringFlag, type Command } from "./command.ts";
import { named } from "../../thresholds/load-config.ts";
import { quoteName } from "../core/quote-value.ts";
import { UsageError } from "../core/errors.ts";
import { loadConfig } from "../registry/config.ts";
import { executeSteps } from "./run-steps.ts";
import type { PlannedStep, SuiteStepContext } from "../kinds/step-kind.ts";
import { defaultRegistry, type Registry } from "../registry/registry.ts";
import { loadFlagsHelp, loadOptions, sharedRunFlags } from "./load-flags.ts";
import { chooseEnvironment } from "./target-environment.ts";
import { finishLoadRun } from "./finish-load-run.ts";

/** Step names are unique within a run: a scenario or drill used twice gets a numbered name. */
export function planSuiteSteps(registry: Registry, context: SuiteStepContext): PlannedStep[] {
  const suite = named(context.config.suites, context.suiteName);
  if (!suite) throw new UsageError(`gate: unknown suite ${quoteName(context.suiteName)}`);
  const seen = new Map<string, number>();
  const uniqueName = (base: string) => {
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count > 1 ? `${base}-${count}` : base;
  };
  return suite.steps.map((step, index): PlannedStep => {
    const kind = registry.kindOfSuiteStep(step);
    if (!kind) throw new UsageError(`suites.${context.suiteName}.steps.${index}: no step kind claims it (known keys: ${registry.kinds.map((known) => known.suiteStepKey).join(", ")})`);
    const planned = kind.planSuiteStep(step, context);
    return { ...planned, stepName: uniqueName(planned.subject) };
  });
}

export const gateCommand: Command = {
  name: "gate",
  summary: "run a suite of steps (nightly, release, dr-quarterly, ...) and fail when any check fails",
  help: `Usage: bulwark gate <suite> [flags]

Runs every step of a suite from the config in order and gives one verdict: exit 0 when every check
passed, 1 when a check failed (an SLO breached, a hypothesis deviated, a budget missed), 2 on bad
input, 3 when the target or tooling failed. A step is a scenario, a drill, a chaos experiment, an alert
or alert-rules check, a scaling check or a rollout check ('bulwark list' shows them). The shipped
'release' suite has one of each but the drill; with --env local it needs the local cluster and the
monitoring estate: bulwark local up --cluster --monitoring.

${loadFlagsHelp}  --confirm-destroy <env> required by suites with restore drills (dr-quarterly): the environment's name again
  --confirm-production <env> required by suites with chaos steps in an environment with production: true

Examples:
  bulwark gate nightly                          # against the embedded demo target
  bulwark gate nightly --demo-fault errors=5%   # watch the error-rate threshold fail
  bulwark gate release --env staging --json > summary.json
  bulwark gate dr-quarterly --confirm-destroy local   # restore drills: destroys and restores the local data store
`,
  options: { ...loadOptions, "confirm-destroy": { type: "string" }, "confirm-production": { type: "string" } },
  async run(context) {
    const [suiteName, ...extra] = context.positionals;
    if (!suiteName) throw new UsageError("gate: missing <suite> (see 'bulwark list')");
    if (extra.length > 0) throw new UsageError(`gate: unexpected argument ${quoteName(extra[0]!)}`);
    const config = await loadConfig(stringFlag(context, "config"), { abortSignal: context.abortSignal });
    if (!named(config.suites, suiteName)) throw new UsageError(`gate: unknown suite ${quoteName(suiteName)} (known: ${Object.keys(config.suites).join(", ")})`);
    const { config: runConfig, environmentName, environment } = chooseEnvironment(config, context);
    const profileFlag = stringFlag(context, "profile");
    if (profileFlag !== undefined && !named(config.profiles, profileFlag)) throw new UsageError(`--profile: unknown profile ${quoteName(profileFlag)} (known: ${Object.keys(config.profiles).join(", ")})`);
    const confirmDestroy = stringFlag(context, "confirm-destroy");
    const confirmProduction = confirmProductionFlag(context, environmentName);
    const result = await executeSteps({
      kind: "gate",
      name: suiteName,
      steps: planSuiteSteps(defaultRegistry, { config: runConfig, suiteName, environmentName, ...(profileFlag ? { profileFlag } : {}) }),
      config: runConfig,
      environmentName,
      ...sharedRunFlags(context, environment),
      ...(confirmDestroy ? { confirmDestroy } : {}),
      ...(confirmProduction !== undefined ? { confirmProduction } : {}),
    });
    return finishLoadRun(result, booleanFlag(context, "json"));
  },
};
