import { booleanFlag, flagLabel, stringFlag, type Command, type CommandContext } from "./command.ts";
import { ExitCode, UsageError } from "../core/errors.ts";
import { printJson, say, table } from "../core/output.ts";
import { loadConfig, pickEnvironment } from "../registry/config.ts";
import type { BulwarkConfig } from "../registry/registry.ts";
import type { RunContext } from "../kinds/step-kind.ts";
import { isBuiltIn, loadCatalog, plannedChaosStep, type ExperimentsConfig } from "../../chaos/experiments/index.ts";
import { localEstate } from "./estate.ts";
import { executeSteps } from "./run-steps.ts";
import { finishLoadRun } from "./finish-load-run.ts";

function runContext(context: CommandContext, config: BulwarkConfig): RunContext {
  const { name, environment } = pickEnvironment(config, stringFlag(context, "env", "BULWARK_ENV"), flagLabel(context, "env", "BULWARK_ENV"));
  const confirmProduction = stringFlag(context, "confirm-production");
  return { config, environmentName: name, environment, estate: localEstate(), abortSignal: context.abortSignal, log: say, ...(confirmProduction !== undefined ? { confirmProduction } : {}) };
}

/** Every experiment of the config (inline and experimentsDir), then the built-in examples, as `chaos list` and `list` show it. */
export function experimentRows(config: BulwarkConfig) {
  const catalog = loadCatalog(config as unknown as ExperimentsConfig);
  return [...catalog.entries.values()].map((entry) => ({ ...entry, origin: isBuiltIn(entry) ? ("built-in" as const) : ("project" as const) })).map(({ name, experiment, source, origin }) => ({
    name,
    title: experiment.title,
    target: `${experiment.target.namespace} ${Object.entries(experiment.target.selector).map(([key, value]) => `${key}=${value}`).join(",")}`,
    faults: experiment.method.faults.map((entry) => (entry.fault ? `${entry.fault.kind} ${entry.fault.action}` : "demo-fault")).join(experiment.method.parallel ? " + " : ", "),
    load: `${experiment.load.scenario} (${experiment.load.profile})`,
    source,
    origin,
  }));
}

function listExperiments(config: BulwarkConfig, json: boolean): number {
  const rows = experimentRows(config);
  if (json) printJson(rows);
  else if (rows.length === 0) say("no experiments defined (add them under experiments in the config, or as <name>.json in experimentsDir)");
  else process.stdout.write(table([["EXPERIMENT", "FAULTS", "TARGET", "LOAD", "TITLE"], ...rows.map((row) => [row.origin === "built-in" ? `${row.name} (built-in)` : row.name, row.faults, row.target, row.load, row.title])]) + "\n");
  return ExitCode.pass;
}

async function sweep(context: CommandContext, config: BulwarkConfig, json: boolean): Promise<number> {
  const { sweepEnvironment } = await import("../../chaos/experiments/sweep-command.ts");
  const result = await sweepEnvironment(runContext(context, config), { allNamespaces: booleanFlag(context, "all-namespaces") });
  if (json) printJson(result);
  const where = result.namespaces.includes("*") ? "every namespace" : `namespaces ${result.namespaces.join(", ") || "(none allow-listed)"}`;
  if (result.removed.length === 0 && result.stuck.length === 0) say(`chaos sweep: nothing left by bulwark in ${where}`);
  for (const object of result.removed) say(`chaos sweep: removed ${object.kind} ${object.namespace}/${object.name}${object.forced ? " (stuck finalizer: forced clean)" : ""} left by run ${object.runId ?? "unknown"}`);
  for (const object of result.stuck) say(`chaos sweep: STILL THERE ${object.kind} ${object.namespace}/${object.name}: ${object.reason}`);
  return result.stuck.length > 0 ? ExitCode.tooling : ExitCode.pass;
}

async function dryRun(context: CommandContext, config: BulwarkConfig, name: string, json: boolean): Promise<number> {
  const { dryRunExperiment } = await import("../../chaos/experiments/dry-run.ts");
  const plan = await dryRunExperiment(runContext(context, config), name);
  if (json) printJson(plan);
  else {
    say(`chaos: dry run of '${plan.experiment}' (${plan.title}) in environment ${plan.environment}: nothing is injected`);
    for (const fault of plan.faults) {
      if (fault.manifest) {
        say(`chaos: fault ${fault.fault} for ${fault.duration}: ${fault.rejection ? `REJECTED by the cluster: ${fault.rejection}` : "accepted by the cluster's server-side dry run (CRD schema and Chaos Mesh webhooks)"}`);
        process.stdout.write(JSON.stringify(fault.manifest, null, 2) + "\n");
      } else {
        say(`chaos: fault ${fault.fault} for ${fault.duration}: demo-fault (local only) switches the demo target to ${JSON.stringify(fault.demoFault)}; no manifest`);
      }
    }
  }
  const rejected = plan.faults.find((fault) => fault.rejection);
  if (rejected) throw new UsageError(`chaos: fault ${rejected.fault} of '${name}' rejected by the cluster (dry run): ${rejected.rejection}`);
  return ExitCode.pass;
}

export const chaosCommand: Command = {
  name: "chaos",
  summary: "run a chaos experiment under load: faults, steady-state hypothesis, recovery time, per-phase SLOs",
  help: `Usage: bulwark chaos <experiment> [--env <name>] [--dry-run] [--confirm-production <env>] [--out <dir>] [--config <file>] [--json]
       bulwark chaos list [--json]
       bulwark chaos sweep [--env <name>] [--all-namespaces] [--json]

A chaos experiment runs a load against the target while Chaos Mesh faults (or, locally, the demo
target's own latency/errors) are injected. It checks the steady-state hypothesis before, during and
after the faults, proves each fault took effect (from the object's status and the pods), measures the
recovery time, and judges p95 and error rate per phase (before, fault, recovery, after). Faults are
removed on success, failure, error and Ctrl-C; 'chaos sweep' removes what a killed run left.
A run is a run directory like any other: summary.json, junit.xml, summary.md, report.html (fault
windows shaded), phases.json and the experiment's journal; every action goes to the audit log.

Guardrails (exit 2, nothing applied): the environment must have allowChaos: true, the target namespace
must be in environments.<env>.kubernetes.chaosNamespaces, the faults may touch at most
kubernetes.maxBlastRadius of the matching pods, and a production environment needs
--confirm-production <env>.

Flags:
  --env <name>                 environment from the config (default: its defaultEnvironment) [BULWARK_ENV]
  --dry-run                    print the exact manifests and validate them with a server-side dry run; inject nothing
  --confirm-production <env>   required in an environment with production: true: its name again
  --all-namespaces             sweep: also outside the environment's chaosNamespaces
  --out <dir>                  root folder of run directories (default: reports/) [BULWARK_REPORTS_DIR]
  --config <file>              config file (default: bulwark.config.json) [BULWARK_CONFIG]
  --json                       print summary.json (the plan with --dry-run, the list, the sweep) on stdout

Exit codes: 0 every check passed, 1 a check failed (hypothesis deviated, fault never took effect,
expectation missed, safety limit hit), 2 bad input or refused by a guardrail or by the cluster's dry run,
3 cluster, Chaos Mesh or load tooling unavailable, 130 interrupted (faults removed).

Examples:
  bulwark chaos list
  bulwark chaos pod-kill-demo --dry-run
  bulwark chaos pod-kill-demo --env local
  bulwark chaos sweep --env local
`,
  options: {
    env: { type: "string" },
    "dry-run": { type: "boolean" },
    "confirm-production": { type: "string" },
    "all-namespaces": { type: "boolean" },
    out: { type: "string" },
    config: { type: "string" },
  },
  async run(context) {
    const [name, ...extra] = context.positionals;
    if (!name) throw new UsageError("chaos: name an experiment, or 'list' or 'sweep' (see 'bulwark chaos --help')");
    if (extra.length > 0) throw new UsageError(`chaos: unexpected argument '${extra[0]}'`);
    const json = booleanFlag(context, "json");
    const config = await loadConfig(stringFlag(context, "config"), { abortSignal: context.abortSignal });
    if (name === "list") return listExperiments(config, json);
    if (name === "sweep") return sweep(context, config, json);
    if (booleanFlag(context, "dry-run")) return dryRun(context, config, name, json);
    const base = runContext(context, config);
    const reportsRoot = stringFlag(context, "out", "BULWARK_REPORTS_DIR");
    const result = await executeSteps({
      kind: "chaos",
      name,
      steps: [plannedChaosStep(name, name)],
      config,
      environmentName: base.environmentName,
      estate: base.estate,
      abortSignal: context.abortSignal,
      ...(base.confirmProduction !== undefined ? { confirmProduction: base.confirmProduction } : {}),
      ...(reportsRoot ? { reportsRoot, reportsRootLabel: flagLabel(context, "out", "BULWARK_REPORTS_DIR") } : {}),
    });
    return finishLoadRun(result, json);
  },
};
