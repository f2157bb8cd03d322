import { z } from "zod";
import type { KubeConfig, V1PodTemplateSpec } from "@kubernetes/client-node";
import { UsageError } from "../../core/errors.ts";
import { quoteName } from "../../core/quote-value.ts";
import { kubeConfigFor } from "../kubernetes/cluster-access.ts";
import type { PreparedLoad } from "../load/kind.ts";
import { checkLoads, prepareLoads, type LoadSpec } from "../load/load-alongside.ts";
import { findScenario } from "../load/scenarios.ts";
import type { PlannedStep, PreparedKind, RunContext, StepKind } from "../step-kind.ts";
import { refusalMessage, RolloutCluster, statusOf } from "./cluster.ts";
import { rolloutConfigShape, type RolloutCheck, type RolloutConfig } from "./definition.ts";
import { runRolloutCheck } from "./runner.ts";
import { changePatch, describeChange, sameTemplate } from "./template.ts";

const checkName = (step: PlannedStep): string => String(step.details.rollout);

/** A rollout check step planned by name (for `bulwark rollout` and suites). */
export function plannedRolloutStep(stepName: string, rollout: string): PlannedStep {
  return { kind: "rollout", stepName, subject: rollout, details: { rollout } };
}

function rolloutChecksOf(config: RunContext["config"]): Record<string, RolloutCheck> {
  return (config as unknown as RolloutConfig).rolloutChecks ?? {};
}

function definitionOf(context: RunContext, name: string): RolloutCheck {
  const checks = rolloutChecksOf(context.config);
  const check = Object.hasOwn(checks, name) ? checks[name] : undefined;
  if (!check) throw new UsageError(`unknown rollout check ${quoteName(name)} (known: ${Object.keys(checks).join(", ") || "none; add them under rolloutChecks"})`);
  return check;
}

interface PreparedRollouts extends PreparedKind {
  cluster: RolloutCluster;
  load?: PreparedLoad;
  /** Per check: the pod template its change produces (the API server's dry run). */
  expectedTemplates: Map<string, V1PodTemplateSpec | undefined>;
}

/** The change, validated by the API server without changing anything; a UsageError naming the check's field otherwise. */
async function dryRunChange(cluster: RolloutCluster, name: string, check: RolloutCheck): Promise<V1PodTemplateSpec | undefined> {
  const field = `rolloutChecks.${name}`;
  const ref = { namespace: check.namespace, name: check.deployment };
  const deployment = await cluster.deployment(ref);
  if (!deployment) throw new UsageError(`${field}.deployment: no Deployment ${check.namespace}/${check.deployment} in the cluster at ${cluster.server}`);
  if (deployment.spec?.paused) throw new UsageError(`${field}.deployment: ${check.namespace}/${check.deployment} is paused (it would not roll out): resume it first`);
  let result;
  try {
    result = await cluster.patchStrategic(ref, changePatch(check.change, deployment.spec?.template, `${field}.change`), true);
  } catch (error) {
    const status = statusOf(error);
    if (status === 400 || status === 422 || status === 403) throw new UsageError(`${field}.change: the API server refused it: ${refusalMessage(error)}`);
    throw error;
  }
  if (sameTemplate(result.spec?.template, deployment.spec?.template)) throw new UsageError(`${field}.change: does not change the pod template (${describeChange(check.change, deployment.spec?.template)}): nothing would roll out`);
  return result.spec?.template;
}

/** Rollout checks: a Deployment updated (and rolled back) under load, judged by its timeline and the load's phases. */
export const rolloutKind: StepKind = {
  name: "rollout",
  suiteStepKey: "rollout",
  description: "a rollout check: a Deployment updated under load, a bad release detected and rolled back, timed",
  configShape: rolloutConfigShape,
  suiteStepSchema: z.object({ rollout: z.string().min(1).describe("rollout check (rolloutChecks.<name>) run as one step") }).strict(),
  rbac: [
    { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "watch", "patch"] },
    { apiGroups: ["apps"], resources: ["replicasets"], verbs: ["get", "list", "watch"] },
    { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] },
  ],

  configErrors(config, suiteSteps) {
    const checks = rolloutChecksOf(config);
    const errors = suiteSteps.flatMap(({ suite, index, step }) => (Object.hasOwn(checks, String(step.rollout)) ? [] : [`suites.${suite}.steps.${index}.rollout: unknown rollout check ${quoteName(String(step.rollout))}`]));
    for (const [name, check] of Object.entries(checks)) {
      if (!check.load) continue;
      if (!findScenario(check.load.scenario)) errors.push(`rolloutChecks.${name}.load.scenario: unknown scenario ${quoteName(check.load.scenario)}`);
      if (!Object.hasOwn(config.profiles, check.load.profile)) errors.push(`rolloutChecks.${name}.load.profile: unknown profile ${quoteName(check.load.profile)}`);
    }
    return errors;
  },

  planSuiteStep(step) {
    const { kind, subject, details } = plannedRolloutStep("", String(step.rollout));
    return { kind, subject, details };
  },

  describe: (step) => `rollout check ${checkName(step)}`,

  async check(steps, context) {
    const loads: LoadSpec[] = [];
    for (const step of steps) {
      const check = definitionOf(context, checkName(step));
      if (check.load) loads.push(check.load);
    }
    if (!context.environment.kubernetes) {
      throw new UsageError(`environments.${context.environmentName}.kubernetes: required for rollout checks (the cluster whose Deployments they roll out; {"local": true} for the local test cluster)`);
    }
    if (context.confirmProduction !== undefined && context.confirmProduction !== context.environmentName) {
      throw new UsageError(`--confirm-production: names ${quoteName(context.confirmProduction)} but the rollout would run in environment '${context.environmentName}'; nothing was changed`);
    }
    if (context.environment.production && context.confirmProduction !== context.environmentName) {
      throw new UsageError(`--confirm-production: environment '${context.environmentName}' is a production environment and rollout checks change its Deployments: pass --confirm-production ${context.environmentName}`);
    }
    if (loads.length > 0) await checkLoads(loads, context);
  },

  async prepare(steps, context): Promise<PreparedRollouts> {
    const config: KubeConfig = await kubeConfigFor(context);
    const cluster = await RolloutCluster.connect(config);
    const expectedTemplates = new Map<string, V1PodTemplateSpec | undefined>();
    const loads: LoadSpec[] = [];
    for (const step of steps) {
      const name = checkName(step);
      const check = definitionOf(context, name);
      expectedTemplates.set(name, await dryRunChange(cluster, name, check));
      if (check.load) loads.push(check.load);
    }
    const load = loads.length > 0 ? await prepareLoads(loads, context) : undefined;
    return {
      cluster,
      expectedTemplates,
      ...(load ? { load, target: load.target, engineVersion: load.engineVersion } : {}),
      release: async () => {
        await load?.release();
      },
    };
  },

  async run(step, prepared, context) {
    const { cluster, load, expectedTemplates } = prepared as PreparedRollouts;
    const name = checkName(step);
    const check = definitionOf(context, name);
    return runRolloutCheck({
      stepName: step.stepName,
      checkName: name,
      check,
      cluster,
      expectedTemplate: expectedTemplates.get(name),
      ...(check.load && load ? { load: { spec: check.load, prepared: load } } : {}),
      context,
    });
  },
};
