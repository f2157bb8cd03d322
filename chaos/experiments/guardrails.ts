// The rules a chaos experiment passes before anything is applied (exit 2 otherwise): the environment
// allows chaos, a production environment is confirmed by name, every namespace a fault touches is
// allow-listed, the faults touch no more than the allowed share of the matching pods, the load outlasts
// the method. The one-line refusals are the faults library's (chaos/faults/guardrails.ts).
import { UsageError } from "../../scripts/core/errors.ts";
import type { EnvironmentConfig } from "../../thresholds/schema.ts";
import { blastRadiusProblem, chaosAllowedProblem, namespaceAllowListProblem, namespacesTouched, podsTouched, productionConfirmationProblem } from "../faults/guardrails.ts";
import { minimumLoadMs, type Experiment, type MethodFault } from "./schema.ts";

export interface GuardrailContext {
  experimentName: string;
  experiment: Experiment;
  environmentName: string;
  environment: EnvironmentConfig;
  confirmProduction?: string;
}

export type ChaosMeshFault = MethodFault & { fault: NonNullable<MethodFault["fault"]> };

export const chaosFaults = (experiment: Experiment): ChaosMeshFault[] => experiment.method.faults.filter((entry): entry is ChaosMeshFault => entry.fault !== undefined);
export const demoFaults = (experiment: Experiment): MethodFault[] => experiment.method.faults.filter((entry) => entry.demoFault !== undefined);
/** Whether the experiment talks to a cluster at all (Chaos Mesh faults, k8s probes, cluster rollbacks). */
export const needsCluster = (experiment: Experiment): boolean =>
  chaosFaults(experiment).length > 0 || experiment.hypothesis.probes.some((probe) => probe.type === "k8s") || experiment.rollbacks.some((rollback) => rollback.type !== "demo-fault-off");

export const targetSelector = (experiment: Experiment) => ({ namespaces: [experiment.target.namespace], labelSelectors: experiment.target.selector });
const selectorText = (experiment: Experiment): string =>
  `${experiment.target.namespace} ${Object.entries(experiment.target.selector)
    .map(([key, value]) => `${key}=${value}`)
    .join(",")}`;

const refuse = (problem: string | undefined): void => {
  if (problem) throw new UsageError(problem);
};

/** Guardrails that need no cluster: chaos allowed, production confirmed, namespaces allow-listed, what the faults need. */
export function assertStaticGuardrails(context: GuardrailContext, options: { dryRun?: boolean } = {}): void {
  const { experimentName, experiment, environmentName, environment } = context;
  const field = `environments.${environmentName}`;
  refuse(chaosAllowedProblem({ environment: environmentName, allowChaos: environment.allowChaos }));
  // A dry run applies nothing: it shows what a confirmed run would do.
  if (!options.dryRun) refuse(productionConfirmationProblem({ environment: environmentName, production: environment.production, confirmProduction: context.confirmProduction }));
  const allowed = environment.kubernetes?.chaosNamespaces ?? [];
  const touched = [experiment.target.namespace, ...chaosFaults(experiment).flatMap((entry) => namespacesTouched(entry.fault, targetSelector(experiment)))];
  const problem = namespaceAllowListProblem({ environment: environmentName, namespaces: touched, allowed });
  if (problem) throw new UsageError(`experiments.${experimentName}.target.namespace: ${problem}`);
  if (needsCluster(experiment) && !environment.kubernetes) throw new UsageError(`${field}.kubernetes: experiment '${experimentName}' needs a cluster; nothing was injected`);
  if (demoFaults(experiment).length > 0 && !environment.demo) {
    throw new UsageError(`experiments.${experimentName}.method.faults: demoFault switches the embedded demo target, which environment '${environmentName}' does not use (demo: false); nothing was injected`);
  }
  if (experiment.hypothesis.probes.some((probe) => probe.type === "prometheus") && !environment.monitoring?.local && !environment.monitoring?.prometheusUrl) {
    throw new UsageError(`${field}.monitoring: experiment '${experimentName}' has a prometheus probe; set monitoring.prometheusUrl or monitoring.local; nothing was injected`);
  }
}

/** The most pods the method touches at once: the sum over parallel faults, the largest fault in sequence. */
export function mostPodsTouched(experiment: Experiment, matching: number): { touched: number; worst?: ChaosMeshFault } {
  const faults = chaosFaults(experiment).map((entry) => ({ entry, touched: podsTouched(entry.mode, entry.value, matching) }));
  if (faults.length === 0) return { touched: 0 };
  if (experiment.method.parallel) return { touched: Math.min(matching, faults.reduce((sum, fault) => sum + fault.touched, 0)) };
  const worst = faults.reduce((most, fault) => (fault.touched > most.touched ? fault : most));
  return { touched: worst.touched, worst: worst.entry };
}

/** The selector must match at least one pod, and the faults may touch at most maxBlastRadius of them. */
export function assertBlastRadius(context: GuardrailContext, matching: number): void {
  const { experimentName, experiment } = context;
  if (chaosFaults(experiment).length === 0) return;
  const maxBlastRadius = context.environment.kubernetes?.maxBlastRadius ?? 0.5;
  const common = { environment: context.environmentName, matchingPods: matching, maxBlastRadius, selectorField: `experiments.${experimentName}.target.selector`, selectorDescription: selectorText(experiment) };
  if (experiment.method.parallel) {
    // Parallel faults add up: judged as "fixed <sum>".
    const { touched } = mostPodsTouched(experiment, matching);
    refuse(blastRadiusProblem({ ...common, mode: "fixed", value: Math.max(touched, 1) }));
    return;
  }
  for (const entry of chaosFaults(experiment)) refuse(blastRadiusProblem({ ...common, mode: entry.mode, ...(entry.value !== undefined ? { value: entry.value } : {}) }));
}

const seconds = (ms: number): string => `${Math.round(ms) / 1000} s`;

/** The load must last at least before + faults + after, or the phases after the faults would be empty. */
export function assertLoadLongEnough(context: GuardrailContext, loadMs: number): void {
  const needed = minimumLoadMs(context.experiment);
  if (loadMs < needed) {
    throw new UsageError(
      `experiments.${context.experimentName}.load.profile: '${context.experiment.load.profile}' lasts ${seconds(loadMs)} in environment '${context.environmentName}', shorter than the experiment's before + faults + after (${seconds(needed)})`,
    );
  }
}
