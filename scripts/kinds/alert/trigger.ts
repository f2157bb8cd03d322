// The fault that should make the alert fire, injected and removed at recorded instants: the demo
// target's runtime fault switch, or a chaos experiment of the project (chaos-trigger.ts, loaded only
// when a check has one: it brings the Kubernetes client).
import { UsageError } from "../../core/errors.ts";
import type { Check, TimelineEvent } from "../../core/step-result.ts";
import type { DemoFaultSetting, RunContext, StartedTarget, StepRunContext } from "../step-kind.ts";
import { knownExperimentsText, loadCatalog, type ExperimentsConfig } from "../../../chaos/experiments/catalog.ts";
import type { ChaosTriggerSetup } from "./chaos-trigger.ts";
import type { AlertTrigger } from "./definition.ts";

export interface FaultTrigger {
  /** For progress output and the timeline: "demo target errors 50 %". */
  readonly description: string;
  /** Injects the fault; resolves with the instant it took effect (Unix ms). */
  inject(): Promise<number>;
  /** Removes it; resolves with the instant it was removed. Safe to call when nothing was injected. */
  remove(): Promise<number>;
  /** The fault as the load should see it: requests failing, or slower by this much (zeros: the load is not expected to see it). */
  readonly expectedEffect: { errorRate: number; latencyMs: number };
  /** Checks of its own, judged after remove(): a chaos fault's proof of injection and its cleanup. */
  checks?(): Check[];
  /** Events of its own for the step's timeline (a chaos fault confirmed, a pod replaced, a rollback). */
  timeline?(): TimelineEvent[];
  /** Files of its own in the run directory (the chaos journal). */
  readonly artifacts?: Record<string, string>;
}

export function describeTrigger(trigger: AlertTrigger): string {
  if ("demoFault" in trigger) {
    const parts = [trigger.demoFault.errorRate > 0 ? `errors ${Math.round(trigger.demoFault.errorRate * 100)} %` : "", trigger.demoFault.latencyMs > 0 ? `latency +${trigger.demoFault.latencyMs} ms` : ""].filter(Boolean);
    return `demo target ${parts.join(", ")}`;
  }
  return `chaos experiment ${trigger.chaos}`;
}

/** Config errors of a trigger (exit 2 when the config loads): a chaos experiment the project does not define. */
export function triggerConfigErrors(trigger: AlertTrigger, field: string, config: RunContext["config"]): string[] {
  if (!("chaos" in trigger)) return [];
  const catalog = loadCatalog(config as unknown as ExperimentsConfig);
  if (catalog.entries.has(trigger.chaos)) return [];
  return [`${field}.chaos: unknown experiment '${trigger.chaos}' (known: ${knownExperimentsText(catalog)})`];
}

/**
 * Up-front validation of a trigger (exit 2), before any load: a demo fault needs the demo target; a
 * chaos experiment must exist, form one fault window and pass every guardrail of the chaos kind.
 */
export async function checkTrigger(trigger: AlertTrigger, field: string, context: RunContext): Promise<void> {
  if ("demoFault" in trigger) {
    if (!context.environment.demo) throw new UsageError(`${field}.demoFault: environment '${context.environmentName}' has no demo target (demo: true); choose an environment with one`);
    return;
  }
  const { checkChaosTrigger } = await import("./chaos-trigger.ts");
  await checkChaosTrigger(trigger.chaos, `${field}.chaos`, context);
}

/** What a trigger needs made ready before the load starts (a chaos trigger: the cluster, Chaos Mesh installed). */
export type PreparedTrigger = ChaosTriggerSetup;

export async function prepareTrigger(trigger: AlertTrigger, context: RunContext): Promise<PreparedTrigger> {
  if ("demoFault" in trigger) return {};
  const { prepareChaosTrigger } = await import("./chaos-trigger.ts");
  return prepareChaosTrigger(trigger.chaos, context);
}

/** The trigger of one check's run. */
export async function triggerFor(
  trigger: AlertTrigger,
  field: string,
  run: { prepared: PreparedTrigger; demoTarget: StartedTarget | undefined; context: StepRunContext; stepName: string },
): Promise<FaultTrigger> {
  if ("demoFault" in trigger) {
    if (!run.demoTarget) throw new UsageError(`${field}.demoFault: the run has no demo target`);
    return demoFaultTrigger(run.demoTarget, { errorRate: trigger.demoFault.errorRate, latencyMs: trigger.demoFault.latencyMs }, describeTrigger(trigger));
  }
  const { chaosExperimentTrigger } = await import("./chaos-trigger.ts");
  return chaosExperimentTrigger({ experimentName: trigger.chaos, setup: run.prepared, demoTarget: run.demoTarget, context: run.context, stepName: run.stepName });
}

/** The demo target's runtime fault switch as a trigger: the target reports the instant it applied each setting. */
export function demoFaultTrigger(target: StartedTarget, setting: DemoFaultSetting, description: string): FaultTrigger {
  let injected = false;
  return {
    description,
    expectedEffect: setting,
    async inject() {
      injected = true;
      return (await target.switchFaults(setting)).getTime();
    },
    async remove() {
      if (!injected) return Date.now();
      injected = false;
      return (await target.switchFaults({ latencyMs: 0, errorRate: 0 })).getTime();
    },
  };
}
