// What the watcher records while a scaling check runs: plain data stamped with the instant each watch
// event arrived, so that the expectations and the explanations are pure functions of it.

/** The HPA's view of its metric: current value against the target, e.g. cpu utilization 80 against 50 (%). */
export interface MetricReading {
  /** "cpu utilization", "cpu average value", "requests_per_second". */
  name: string;
  current: number | null;
  target: number | null;
  /** "%" for utilization, else the metric's own unit as the HPA reports it ("millicores", "value"). */
  unit: string;
}

/** The replica counts at one instant, recorded whenever any of them changed. */
export interface ReplicaSample {
  atMs: number;
  /** HPA status.desiredReplicas (null before the HPA has decided anything). */
  desired: number | null;
  /** Deployment status.replicas: pods of the Deployment not yet terminated. */
  current: number | null;
  /** Deployment status.readyReplicas. */
  ready: number;
  /** Deployment spec.replicas: what the HPA last set through the scale subresource. */
  specReplicas: number | null;
  minReplicas: number | null;
  maxReplicas: number | null;
  metric: MetricReading | null;
}

/** One of the HPA's conditions (AbleToScale, ScalingActive, ScalingLimited), recorded when it changed. */
export interface ConditionSample {
  atMs: number;
  type: string;
  status: string;
  reason: string;
  message: string;
}

/** A Kubernetes Event about the HPA, the Deployment, its ReplicaSets or its pods. */
export interface ClusterEvent {
  atMs: number;
  type: string;
  reason: string;
  message: string;
  /** "HorizontalPodAutoscaler/api", "ReplicaSet/api-5d8f", "Pod/api-5d8f-x2x". */
  object: string;
  count: number;
}

/** A pod of the Deployment, recorded when its phase, readiness or trouble changed. */
export interface PodSample {
  atMs: number;
  name: string;
  phase: string;
  ready: boolean;
  /** Why it is not running or not ready: Unschedulable, ErrImagePull, ImagePullBackOff, CrashLoopBackOff... */
  problem: string | null;
  problemMessage: string | null;
  deleted: boolean;
}

export interface ScalingTimeline {
  samples: ReplicaSample[];
  conditions: ConditionSample[];
  events: ClusterEvent[];
  pods: PodSample[];
  /** Records not kept because a list reached its cap (bounded memory on a long observation). */
  dropped: number;
}

export const emptyTimeline = (): ScalingTimeline => ({ samples: [], conditions: [], events: [], pods: [], dropped: 0 });

/** The latest of `items` (sorted by atMs) at or before `atMs`. */
export function latestAt<T extends { atMs: number }>(items: readonly T[], atMs: number): T | undefined {
  let found: T | undefined;
  for (const item of items) {
    if (item.atMs > atMs) break;
    found = item;
  }
  return found;
}

/** Each condition type's latest state at `atMs`. */
export function conditionsAt(timeline: ScalingTimeline, atMs: number): Map<string, ConditionSample> {
  const latest = new Map<string, ConditionSample>();
  for (const condition of timeline.conditions) {
    if (condition.atMs > atMs) break;
    latest.set(condition.type, condition);
  }
  return latest;
}

/** Each pod's latest state at `atMs`, without the pods deleted by then. */
export function podsAt(timeline: ScalingTimeline, atMs: number): PodSample[] {
  const latest = new Map<string, PodSample>();
  for (const pod of timeline.pods) {
    if (pod.atMs > atMs) break;
    latest.set(pod.name, pod);
  }
  return [...latest.values()].filter((pod) => !pod.deleted);
}

/** The replica count that scaled: the HPA's desired count, else the Deployment's spec. */
export const desiredOf = (sample: ReplicaSample): number | null => sample.desired ?? sample.specReplicas;

/** Pods that exist: the Deployment's status.replicas, else its spec. */
export const currentOf = (sample: ReplicaSample): number | null => sample.current ?? sample.specReplicas;
