import { booleanFlag, stringFlag, type Command } from "./command.ts";
import { UsageError } from "../core/errors.ts";
import { quoteName } from "../core/quote-value.ts";
import { printJson, say, table } from "../core/output.ts";
import { loadConfig } from "../registry/config.ts";
import { hpaNameOf, type ScalingConfig } from "../kinds/scaling/definition.ts";
import { plannedScaleStep } from "../kinds/scaling/kind.ts";
import { executeSteps } from "./run-steps.ts";
import { finishLoadRun } from "./finish-load-run.ts";
import { loadOptions, sharedRunFlags } from "./load-flags.ts";
import { chooseEnvironment } from "./target-environment.ts";

/** "reach >= 3 ready in 20s; never above 5; <= 1 direction change; back to <= 1 in 30s" */
function expectationSummary(expect: ScalingConfig["scalingChecks"][string]["expect"]): string {
  return [
    expect.scaleOut ? `>= ${expect.scaleOut.readyReplicas} ready within ${expect.scaleOut.within}` : "",
    expect.neverAbove !== undefined ? `never above ${expect.neverAbove}` : "",
    expect.maxDirectionChanges !== undefined ? `<= ${expect.maxDirectionChanges} direction changes` : "",
    expect.scaleIn ? `<= ${expect.scaleIn.replicas} within ${expect.scaleIn.within} after` : "",
  ]
    .filter(Boolean)
    .join("; ");
}

export const scaleCommand: Command = {
  name: "scale",
  summary: "verify HPA scaling under load: the watched replica timeline against expectations, failures explained",
  help: `Usage: bulwark scale <check> [--env <name>] [--duration <d>] [--out <dir>] [--config <file>] [--json]
       bulwark scale list [--json]

A scaling check (scalingChecks.<name>) runs a load while it watches the HorizontalPodAutoscaler, its
Deployment and the Deployment's pods, records the replica timeline (desired, current, ready, the metric
against its target), and judges it: at least N ready replicas within T of the load's start, never
above a maximum, no flapping (at most K changes of direction under load), back to at most M replicas
within T2 of the load's end. A failure names the HPA's conditions (AbleToScale, ScalingActive,
ScalingLimited), recent warnings and the pods that did not become Ready. The run folder holds
summary.json (with the timeline), replicas.json, summary.md, junit.xml and report.html.
On the local cluster (bulwark local up --cluster), hpa-demo drives the real HPA through the usage
bridge, a simulation aid that turns the demo target's served request rate into simulated pod CPU
(docs/scaling.md).

Flags:
  --env <name>      environment from the config (default: the config's defaultEnvironment) [BULWARK_ENV]
  --duration <d>    quick look: the load lasts this long (e.g. 15s)
  --rate <n>        quick look: the load peaks at n iterations/s
  --out <dir>       root folder of run directories (default: reports/) [BULWARK_REPORTS_DIR]
  --config <file>   config file (default: the embedded bulwark.config.json) [BULWARK_CONFIG]
  --json            print summary.json on stdout at the end (the checks with list)

Exit codes: 0 every expectation met, 1 an expectation failed, 2 bad input (unknown check, a workload or
HPA that does not exist, no kubernetes in the environment; nothing started), 3 cluster unreachable or
tooling failed, 130 interrupted.

Examples:
  bulwark local up --cluster
  bulwark scale hpa-demo
  bulwark scale list
`,
  options: {
    env: loadOptions.env,
    duration: loadOptions.duration,
    rate: loadOptions.rate,
    out: loadOptions.out,
    config: loadOptions.config,
  },
  async run(context) {
    const [name, ...extra] = context.positionals;
    if (!name) throw new UsageError("scale: name a scaling check, or 'list' (see 'bulwark scale --help')");
    if (extra.length > 0) throw new UsageError(`scale: unexpected argument '${extra[0]}'`);
    const json = booleanFlag(context, "json");
    const config = await loadConfig(stringFlag(context, "config"), { abortSignal: context.abortSignal });
    const { scalingChecks } = config as typeof config & ScalingConfig;

    if (name === "list") {
      const checks = Object.entries(scalingChecks).map(([checkName, check]) => ({
        name: checkName,
        workload: `${check.workload.namespace}/${check.workload.deployment} (hpa ${hpaNameOf(check)})`,
        expect: expectationSummary(check.expect),
        description: check.description,
      }));
      if (json) printJson(checks);
      else if (checks.length === 0) say("no scaling checks defined (add them under scalingChecks in the config)");
      else process.stdout.write(table([["CHECK", "WORKLOAD", "EXPECT", "DESCRIPTION"], ...checks.map((check) => [check.name, check.workload, check.expect, check.description])]) + "\n");
      return 0;
    }

    if (!Object.hasOwn(scalingChecks, name)) {
      const known = Object.keys(scalingChecks);
      throw new UsageError(`scale: unknown scaling check ${quoteName(name)} (known: ${known.join(", ") || "none"})`);
    }
    const { config: runConfig, environmentName, environment } = chooseEnvironment(config, context);
    const result = await executeSteps({
      kind: "scale",
      name,
      steps: [plannedScaleStep(name, name)],
      config: runConfig,
      environmentName,
      ...sharedRunFlags(context, environment),
    });
    return finishLoadRun(result, json);
  },
};
