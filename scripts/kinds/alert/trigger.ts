// The fault that should make the alert fire, injected and removed at recorded instants. A demo-target
// fault today; a chaos experiment is the other trigger the config accepts (extension point below).
import { UsageError } from "../../core/errors.ts";
import type { DemoFaultSetting, StartedTarget } from "../step-kind.ts";
import type { AlertTrigger } from "./definition.ts";

export interface FaultTrigger {
  /** For progress output and the timeline: "demo target errors 50 %". */
  readonly description: string;
  /** Injects the fault; resolves with the instant it took effect (Unix ms). */
  inject(): Promise<number>;
  /** Removes it; resolves with the instant it was removed. Safe to call when nothing was injected. */
  remove(): Promise<number>;
  /** The fault as the load should see it: requests failing, or slower by this much. */
  readonly expectedEffect: { errorRate: number; latencyMs: number };
}

export function describeTrigger(trigger: AlertTrigger): string {
  if ("demoFault" in trigger) {
    const parts = [trigger.demoFault.errorRate > 0 ? `errors ${Math.round(trigger.demoFault.errorRate * 100)} %` : "", trigger.demoFault.latencyMs > 0 ? `latency +${trigger.demoFault.latencyMs} ms` : ""].filter(Boolean);
    return `demo target ${parts.join(", ")}`;
  }
  return `chaos experiment ${trigger.chaos}`;
}

/**
 * Up-front validation of a trigger (exit 2). A chaos trigger needs the chaos kind to expose an
 * experiment as inject/remove with recorded instants; until it does, it is refused here, before any load.
 */
export function checkTrigger(trigger: AlertTrigger, field: string, environment: { name: string; demo: boolean }): void {
  if ("demoFault" in trigger) {
    if (!environment.demo) throw new UsageError(`${field}.demoFault: environment '${environment.name}' has no demo target (demo: true); choose an environment with one`);
    return;
  }
  throw new UsageError(`${field}.chaos: a chaos experiment as an alert trigger is not supported yet; use trigger.demoFault`);
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
