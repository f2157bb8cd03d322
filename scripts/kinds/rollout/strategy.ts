// What a Deployment's strategy allows during a rollout, resolved the way the Deployment controller does
// (percentages of the desired replicas: surge rounded up, unavailable rounded down, never both zero).
import type { V1Deployment, V1PodTemplateSpec } from "@kubernetes/client-node";

export interface StrategyFacts {
  type: "RollingUpdate" | "Recreate";
  replicas: number;
  /** Pods above `replicas` allowed during a rolling update. */
  maxSurge: number;
  /** Pods below `replicas` (not available) allowed during a rolling update. */
  maxUnavailable: number;
  /** As written, for explanations: "25%" or 1. */
  maxSurgeSpec: string;
  maxUnavailableSpec: string;
  minReadySeconds: number;
  /** null: the Deployment has no deadline (progressDeadlineSeconds unset on an old API object). */
  progressDeadlineSeconds: number | null;
  paused: boolean;
}

/** An int-or-percent field scaled against `total` (Kubernetes' intstr rule). */
export function scaledValue(value: number | string | undefined, total: number, roundUp: boolean, fallback: string): number {
  const text = value === undefined ? fallback : String(value);
  const percent = /^(\d+)%$/.exec(text.trim());
  if (!percent) return Number.parseInt(text, 10) || 0;
  const exact = (Number(percent[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

export function strategyFacts(deployment: V1Deployment): StrategyFacts {
  const spec = deployment.spec;
  const replicas = spec?.replicas ?? 1;
  const rolling = spec?.strategy?.rollingUpdate;
  const type = spec?.strategy?.type === "Recreate" ? "Recreate" : "RollingUpdate";
  let maxSurge = scaledValue(rolling?.maxSurge as number | string | undefined, replicas, true, "25%");
  let maxUnavailable = scaledValue(rolling?.maxUnavailable as number | string | undefined, replicas, false, "25%");
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  if (type === "Recreate") [maxSurge, maxUnavailable] = [0, replicas];
  return {
    type,
    replicas,
    maxSurge,
    maxUnavailable,
    maxSurgeSpec: String(rolling?.maxSurge ?? "25%"),
    maxUnavailableSpec: String(rolling?.maxUnavailable ?? "25%"),
    minReadySeconds: spec?.minReadySeconds ?? 0,
    progressDeadlineSeconds: spec?.progressDeadlineSeconds ?? null,
    paused: spec?.paused === true,
  };
}

/** Containers of a pod template that have no readiness probe (they count as Ready as soon as they start). */
export function containersWithoutReadinessProbe(template: V1PodTemplateSpec | undefined): string[] {
  return (template?.spec?.containers ?? []).filter((container) => !container.readinessProbe).map((container) => container.name);
}
