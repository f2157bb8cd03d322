import { z } from "zod";
import { UsageError } from "../../core/errors.ts";
import { quoteName } from "../../core/quote-value.ts";
import { kubeConfigFor } from "../kubernetes/cluster-access.ts";
import type { PreparedLoad } from "../load/kind.ts";
import { checkLoads, prepareLoads } from "../load/load-alongside.ts";
import { findScenario } from "../load/scenarios.ts";
import type { PlannedStep, PreparedKind, RunContext, StepKind } from "../step-kind.ts";
import type { KubeConfig } from "@kubernetes/client-node";
import { scalingConfigShape, type ScalingCheck, type ScalingConfig } from "./definition.ts";
import { scalingRbacRules } from "./rbac.ts";
import { assertBridgeAllowed } from "./usage-bridge.ts";

const checkName = (step: PlannedStep): string => String(step.details.check);

/** A scaling check step planned by name (for `bulwark scale` and suites). */
export function plannedScaleStep(stepName: string, check: string): PlannedStep {
  return { kind: "scale", stepName, subject: check, details: { check } };
}

interface PreparedScaling extends PreparedKind {
  load: PreparedLoad;
  kubeConfig: KubeConfig;
}

function scalingCheckOf(context: RunContext, name: string): ScalingCheck {
  const checks = (context.config as typeof context.config & ScalingConfig).scalingChecks;
  const check = Object.hasOwn(checks, name) ? checks[name] : undefined;
  if (!check) {
    const known = Object.keys(checks);
    throw new UsageError(`unknown scaling check ${quoteName(name)} (${known.length > 0 ? `known: ${known.join(", ")}` : "none defined under scalingChecks in the config"})`);
  }
  return check;
}

/** HPA scaling checks: load runs while the HPA, its Deployment and pods are watched; the replica timeline is judged against expectations. */
export const scalingKind: StepKind = {
  name: "scale",
  suiteStepKey: "scale",
  description: "an HPA scaling check: load while the HPA and its Deployment are watched, the replica timeline judged against expectations",
  configShape: scalingConfigShape,
  suiteStepSchema: z.object({ scale: z.string().min(1).describe("scaling check (scalingChecks.<name>) run as one step") }).strict(),
  rbac: scalingRbacRules,

  configErrors(config, suiteSteps) {
    const { scalingChecks } = config as typeof config & ScalingConfig;
    const errors = suiteSteps.flatMap(({ suite, index, step }) => (Object.hasOwn(scalingChecks, String(step.scale)) ? [] : [`suites.${suite}.steps.${index}.scale: unknown scaling check '${String(step.scale)}'`]));
    for (const [name, check] of Object.entries(scalingChecks)) {
      if (!findScenario(check.load.scenario)) errors.push(`scalingChecks.${name}.load.scenario: unknown scenario '${check.load.scenario}'`);
      if (!Object.hasOwn(config.profiles, check.load.profile)) errors.push(`scalingChecks.${name}.load.profile: unknown profile '${check.load.profile}'`);
      const { scaleOut, neverAbove, scaleIn } = check.expect;
      if (scaleOut && neverAbove !== undefined && scaleOut.readyReplicas > neverAbove) errors.push(`scalingChecks.${name}.expect.neverAbove: ${neverAbove} is below scaleOut.readyReplicas ${scaleOut.readyReplicas}: both cannot hold`);
      if (scaleOut && scaleIn && scaleIn.replicas >= scaleOut.readyReplicas) errors.push(`scalingChecks.${name}.expect.scaleIn.replicas: ${scaleIn.replicas} is not below scaleOut.readyReplicas ${scaleOut.readyReplicas}: the check could not tell a scale-in`);
    }
    return errors;
  },

  planSuiteStep(step) {
    const { kind, subject, details } = plannedScaleStep("", String(step.scale));
    return { kind, subject, details };
  },

  describe: (step) => `scaling check ${checkName(step)}`,

  async check(steps, context) {
    const checks = steps.map((step) => [checkName(step), scalingCheckOf(context, checkName(step))] as const);
    for (const [name, check] of checks) {
      if (check.usageBridge) {
        try {
          assertBridgeAllowed(context.environmentName, context.environment);
        } catch (error) {
          throw new UsageError(`scalingChecks.${name}.${(error as Error).message}`);
        }
      }
    }
    // The workload must exist before any load starts: a missing one is exit 2, an unreachable cluster exit 3.
    const kubeConfig = await kubeConfigFor(context);
    const { assertWorkloadExists } = await import("./workload-check.ts");
    for (const [name, check] of checks) await assertWorkloadExists(kubeConfig, name, check);
    await checkLoads(
      checks.map(([, check]) => check.load),
      context,
    );
  },

  async prepare(steps, context): Promise<PreparedScaling> {
    const kubeConfig = await kubeConfigFor(context);
    const load = await prepareLoads(
      steps.map((step) => scalingCheckOf(context, checkName(step)).load),
      context,
    );
    return { load, kubeConfig, target: load.baseUrl, engineVersion: load.engine.version, release: () => load.release() };
  },

  async run(step, prepared, context) {
    const { runScalingCheck } = await import("./run-check.ts");
    const { load, kubeConfig } = prepared as PreparedScaling;
    return runScalingCheck({ step, checkName: checkName(step), check: scalingCheckOf(context, checkName(step)), kubeConfig, load, context });
  },
};
