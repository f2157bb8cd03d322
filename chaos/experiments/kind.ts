// The `chaos` step kind: a chaos experiment under load ({"chaos": "pod-kill-demo"} in a suite, or
// `bulwark chaos <experiment>`). The Kubernetes client and the runner load only when a chaos step runs.
import { z } from "zod";
import { UsageError } from "../../scripts/core/errors.ts";
import { plannedDurationMs } from "../../thresholds/compile-options.ts";
import { resolveProfile } from "../../thresholds/load-config.ts";
import { checkLoads, prepareLoads, type LoadSpec } from "../../scripts/kinds/load/load-alongside.ts";
import { findScenario } from "../../scripts/kinds/load/scenarios.ts";
import type { PlannedStep, PreparedKind, RunContext, StepKind } from "../../scripts/kinds/step-kind.ts";
import { findExperiment, isBuiltIn, knownExperimentsText, loadCatalog, type CatalogEntry, type ExperimentsConfig } from "./catalog.ts";
import { assertBlastRadius, assertLoadLongEnough, assertStaticGuardrails, chaosFaults, needsCluster } from "./guardrails.ts";
import { chaosRbacRules } from "./rbac.ts";
import { experimentsConfigShape } from "./schema.ts";
import type { ChaosPrepared } from "./runner.ts";

const experimentName = (step: PlannedStep): string => String(step.details.experiment);

/** A chaos step planned by experiment name (for `bulwark chaos` and suites). */
export function plannedChaosStep(stepName: string, experiment: string): PlannedStep {
  return { kind: "chaos", stepName, subject: experiment, details: { experiment } };
}

const catalogOf = (config: RunContext["config"]) => loadCatalog(config as unknown as ExperimentsConfig);

/** The experiment a step names, or a UsageError naming the known ones. */
export function experimentOf(config: RunContext["config"], name: string): CatalogEntry {
  const catalog = catalogOf(config);
  const entry = findExperiment(catalog, name);
  if (!entry) throw new UsageError(`unknown experiment '${name}' (known: ${knownExperimentsText(catalog)})`);
  return entry;
}

/** Pods matching the target's selector that are not being deleted. */
async function matchingPods(context: RunContext, entry: CatalogEntry): Promise<number> {
  const { kubeConfigFor } = await import("../../scripts/kinds/kubernetes/cluster-access.ts");
  const { CoreV1Api } = await import("@kubernetes/client-node");
  const core = (await kubeConfigFor(context)).makeApiClient(CoreV1Api);
  const labelSelector = Object.entries(entry.experiment.target.selector)
    .map(([key, value]) => `${key}=${value}`)
    .join(",");
  const pods = await core.listNamespacedPod({ namespace: entry.experiment.target.namespace, labelSelector });
  return pods.items.filter((pod) => !pod.metadata?.deletionTimestamp).length;
}

/**
 * Every guardrail of one experiment, before anything is applied (exit 2): chaos allowed, production
 * confirmed, namespaces allow-listed, the load valid and long enough, the selector matching at least
 * one pod and no more than the blast radius allows. A dry run checks the same, production aside.
 */
export async function checkExperiment(context: RunContext, name: string, options: { dryRun?: boolean; withoutLoad?: boolean } = {}): Promise<CatalogEntry> {
  const entry = experimentOf(context.config, name);
  const guard = { experimentName: name, experiment: entry.experiment, environmentName: context.environmentName, environment: context.environment, ...(context.confirmProduction ? { confirmProduction: context.confirmProduction } : {}) };
  assertStaticGuardrails(guard, options);
  // withoutLoad: the faults run under another step's load (an alert check's chaos trigger), not the experiment's.
  if (!options.dryRun && !options.withoutLoad) {
    await checkLoads([entry.experiment.load], context);
    assertLoadLongEnough(guard, plannedDurationMs(resolveProfile(context.config, context.environmentName, entry.experiment.load.profile)));
  }
  if (chaosFaults(entry.experiment).length > 0) {
    assertBlastRadius(guard, await matchingPods(context, entry));
    // The cluster judges the manifests before anything starts (a dry run does it itself, to show them all).
    if (!options.dryRun) await (await import("./dry-run.ts")).assertClusterAccepts(context, name, entry.experiment);
  }
  return entry;
}

interface PreparedChaosKind extends PreparedKind, ChaosPrepared {}

/** Chaos experiments under load: Chaos Mesh faults, a steady-state hypothesis, per-phase expectations. */
export const chaosKind: StepKind = {
  name: "chaos",
  suiteStepKey: "chaos",
  description: "a chaos experiment under load: Chaos Mesh faults (or the demo target's), a steady-state hypothesis, proof of injection, per-phase SLO expectations",
  configShape: experimentsConfigShape,
  suiteStepSchema: z.object({ chaos: z.string().min(1).describe("chaos experiment (experiments.<name> or <experimentsDir>/<name>.json) run as one step") }).strict(),
  rbac: chaosRbacRules,

  configErrors(config, suiteSteps) {
    const catalog = catalogOf(config);
    const errors = [...catalog.errors];
    for (const { suite, index, step } of suiteSteps) {
      if (!catalog.entries.has(String(step.chaos))) errors.push(`suites.${suite}.steps.${index}.chaos: unknown experiment '${String(step.chaos)}'`);
    }
    const referenced = new Set(suiteSteps.map(({ step }) => String(step.chaos)));
    for (const entry of catalog.entries.values()) {
      // A built-in example names the shipped config's profiles: judged only where a suite uses it.
      if (isBuiltIn(entry) && !referenced.has(entry.name)) continue;
      const { name, experiment, source } = entry;
      const where = source === "config" ? `experiments.${name}` : source;
      if (!Object.hasOwn(config.profiles, experiment.load.profile)) errors.push(`${where}: load.profile: unknown profile '${experiment.load.profile}'`);
      if (!findScenario(experiment.load.scenario)) errors.push(`${where}: load.scenario: unknown scenario '${experiment.load.scenario}'`);
    }
    return errors;
  },

  planSuiteStep(step) {
    const { kind, subject, details } = plannedChaosStep("", String(step.chaos));
    return { kind, subject, details };
  },

  describe: (step) => `chaos experiment ${experimentName(step)}`,

  async check(steps, context) {
    for (const step of steps) await checkExperiment(context, experimentName(step));
  },

  async prepare(steps, context): Promise<PreparedChaosKind> {
    const entries = steps.map((step) => experimentOf(context.config, experimentName(step)).experiment);
    const loads = [...new Map(entries.map((experiment) => [`${experiment.load.scenario}|${experiment.load.profile}`, experiment.load] as [string, LoadSpec])).values()];
    const load = await prepareLoads(loads, context);
    const releases: (() => Promise<void>)[] = [() => load.release()];
    const release = async () => {
      for (const step of releases.reverse()) await step().catch(() => undefined);
    };
    try {
      const prepared: PreparedChaosKind = { load, target: load.target!, engineVersion: load.engineVersion!, release };
      if (entries.some(needsCluster)) {
        const { kubeConfigFor } = await import("../../scripts/kinds/kubernetes/cluster-access.ts");
        const { assertChaosMeshInstalled } = await import("./preflight.ts");
        prepared.kubeConfig = await kubeConfigFor(context);
        await assertChaosMeshInstalled(prepared.kubeConfig, entries.flatMap((experiment) => chaosFaults(experiment).map((entry) => entry.fault.kind)));
      }
      if (entries.some((experiment) => experiment.hypothesis.probes.some((probe) => probe.type === "prometheus"))) {
        const monitoring = context.environment.monitoring;
        if (monitoring?.prometheusUrl) prepared.prometheusUrl = monitoring.prometheusUrl;
        else {
          const local = await context.estate.localMonitoring();
          prepared.prometheusUrl = local.prometheusUrl;
          // The demo target this run started is scraped while the run lasts, so queries see its requests.
          if (load.demoTarget) releases.push(await local.scrape("bulwark-chaos", load.demoTarget.metricsUrl));
        }
      }
      return prepared;
    } catch (error) {
      await release();
      throw error;
    }
  },

  async run(step, prepared, context) {
    const { runExperiment } = await import("./runner.ts");
    const name = experimentName(step);
    return runExperiment({ experimentName: name, experiment: experimentOf(context.config, name).experiment, stepName: step.stepName, prepared: prepared as PreparedChaosKind, context });
  },
};
