// Reading the fields a scaling check needs from Kubernetes objects (plain JSON from a watch, or typed
// objects from a list: the field names are the same): replica counts, the HPA's metric against its
// target, its conditions, a pod's readiness and trouble, an event's subject.
import type { MetricReading, PodSample, ReplicaSample } from "./timeline.ts";

type Json = Record<string, unknown>;

const field = (object: unknown, ...path: string[]): unknown => path.reduce<unknown>((value, key) => (typeof value === "object" && value !== null ? (value as Json)[key] : undefined), object);
const numberAt = (object: unknown, ...path: string[]): number | null => {
  const value = field(object, ...path);
  return typeof value === "number" ? value : null;
};
const stringAt = (object: unknown, ...path: string[]): string | null => {
  const value = field(object, ...path);
  return typeof value === "string" ? value : null;
};
const arrayAt = (object: unknown, ...path: string[]): unknown[] => {
  const value = field(object, ...path);
  return Array.isArray(value) ? value : [];
};

const quantitySuffixes: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };

/** A Kubernetes quantity ("250m", "1.5", "64Mi") as a number of units; null when it is not one. */
export function parseQuantity(text: unknown): number | null {
  if (typeof text === "number") return text;
  if (typeof text !== "string") return null;
  const match = /^([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(n|u|m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * (match[2] ? quantitySuffixes[match[2]]! : 1);
}

/** The HPA's first metric: its current value (status.currentMetrics) against its target (spec.metrics). */
export function hpaMetric(hpa: unknown): MetricReading | null {
  const metric = arrayAt(hpa, "spec", "metrics")[0];
  if (!metric) return null;
  const type = stringAt(metric, "type");
  const sourceKey = type === "Resource" ? "resource" : type === "ContainerResource" ? "containerResource" : type === "Pods" ? "pods" : type === "Object" ? "object" : type === "External" ? "external" : null;
  if (!sourceKey) return null;
  const source = field(metric, sourceKey);
  const resourceName = stringAt(source, "name");
  const metricName = resourceName ?? stringAt(source, "metric", "name") ?? "metric";
  const current = arrayAt(hpa, "status", "currentMetrics").find((candidate) => stringAt(candidate, "type") === type && (stringAt(field(candidate, sourceKey), "name") ?? stringAt(candidate, sourceKey, "metric", "name")) === metricName);
  const currentValues = field(current, sourceKey, "current");
  const target = field(source, "target");
  const targetType = stringAt(target, "type");
  if (targetType === "Utilization") {
    return { name: `${metricName} utilization`, current: numberAt(currentValues, "averageUtilization"), target: numberAt(target, "averageUtilization"), unit: "%" };
  }
  const isCpu = metricName === "cpu";
  const scale = (value: number | null) => (value === null ? null : isCpu ? Math.round(value * 1000 * 1000) / 1000 : value);
  const key = targetType === "Value" ? "value" : "averageValue";
  return { name: `${metricName} ${key === "value" ? "value" : "average value"}`, current: scale(parseQuantity(field(currentValues, key))), target: scale(parseQuantity(field(target, key))), unit: isCpu ? "millicores" : "units" };
}

/** The HPA's conditions as (type, status, reason, message). */
export function hpaConditions(hpa: unknown): { type: string; status: string; reason: string; message: string }[] {
  return arrayAt(hpa, "status", "conditions").map((condition) => ({
    type: stringAt(condition, "type") ?? "",
    status: stringAt(condition, "status") ?? "Unknown",
    reason: stringAt(condition, "reason") ?? "",
    message: stringAt(condition, "message") ?? "",
  }));
}

/** The replica counts of the HPA and its Deployment, as one sample (without its instant). */
export function replicaState(hpa: unknown, deployment: unknown): Omit<ReplicaSample, "atMs"> {
  return {
    desired: hpa ? numberAt(hpa, "status", "desiredReplicas") : null,
    // status.replicas and readyReplicas are left out of the JSON when they are 0.
    current: deployment ? (numberAt(deployment, "status", "replicas") ?? 0) : null,
    ready: deployment ? (numberAt(deployment, "status", "readyReplicas") ?? 0) : 0,
    specReplicas: deployment ? numberAt(deployment, "spec", "replicas") : null,
    minReplicas: hpa ? (numberAt(hpa, "spec", "minReplicas") ?? 1) : null,
    maxReplicas: hpa ? numberAt(hpa, "spec", "maxReplicas") : null,
    metric: hpa ? hpaMetric(hpa) : null,
  };
}

/** Waiting reasons that mean a container will not start by itself soon. */
const troubledWaiting = /^(ErrImagePull|ImagePullBackOff|InvalidImageName|ErrImageNeverPull|CrashLoopBackOff|CreateContainerConfigError|CreateContainerError|RunContainerError)$/;

export function isPodReady(pod: unknown): boolean {
  if (field(pod, "metadata", "deletionTimestamp")) return false;
  return stringAt(pod, "status", "phase") === "Running" && arrayAt(pod, "status", "conditions").some((condition) => stringAt(condition, "type") === "Ready" && stringAt(condition, "status") === "True");
}

/** A pod's phase, readiness and trouble (unschedulable, image errors, crash loops), without its instant. */
export function podState(pod: unknown): Omit<PodSample, "atMs"> {
  const name = stringAt(pod, "metadata", "name") ?? "";
  const terminating = Boolean(field(pod, "metadata", "deletionTimestamp"));
  const phase = terminating ? "Terminating" : (stringAt(pod, "status", "phase") ?? "Pending");
  let problem: string | null = null;
  let problemMessage: string | null = null;
  const scheduled = arrayAt(pod, "status", "conditions").find((condition) => stringAt(condition, "type") === "PodScheduled");
  if (scheduled && stringAt(scheduled, "status") === "False") {
    problem = stringAt(scheduled, "reason") ?? "Unschedulable";
    problemMessage = stringAt(scheduled, "message");
  }
  for (const status of [...arrayAt(pod, "status", "initContainerStatuses"), ...arrayAt(pod, "status", "containerStatuses")]) {
    const reason = stringAt(status, "state", "waiting", "reason");
    if (reason && troubledWaiting.test(reason)) {
      problem = reason;
      problemMessage = stringAt(status, "state", "waiting", "message");
      break;
    }
  }
  return { name, phase, ready: isPodReady(pod), problem: terminating ? null : problem, problemMessage: terminating ? null : problemMessage, deleted: false };
}

/** A label selector's string form from a Deployment's spec.selector (matchLabels and matchExpressions). */
export function selectorString(deployment: unknown): string {
  const labels = field(deployment, "spec", "selector", "matchLabels");
  const parts = Object.entries(typeof labels === "object" && labels !== null ? (labels as Record<string, string>) : {}).map(([key, value]) => `${key}=${value}`);
  for (const expression of arrayAt(deployment, "spec", "selector", "matchExpressions")) {
    const key = stringAt(expression, "key") ?? "";
    const values = arrayAt(expression, "values").map(String).join(",");
    const operator = stringAt(expression, "operator");
    if (operator === "In") parts.push(`${key} in (${values})`);
    else if (operator === "NotIn") parts.push(`${key} notin (${values})`);
    else if (operator === "Exists") parts.push(key);
    else if (operator === "DoesNotExist") parts.push(`!${key}`);
  }
  return parts.join(",");
}

/** An event's subject ("Pod/api-x") and what it says. */
export function eventFacts(event: unknown): { kind: string; name: string; type: string; reason: string; message: string; count: number; timeMs: number | null } {
  const time = field(event, "lastTimestamp") ?? field(event, "eventTime") ?? field(event, "metadata", "creationTimestamp");
  const timeMs = time instanceof Date ? time.getTime() : typeof time === "string" ? Date.parse(time) : null;
  return {
    kind: stringAt(event, "involvedObject", "kind") ?? "",
    name: stringAt(event, "involvedObject", "name") ?? "",
    type: stringAt(event, "type") ?? "Normal",
    reason: stringAt(event, "reason") ?? "",
    message: stringAt(event, "message") ?? "",
    count: numberAt(event, "count") ?? 1,
    timeMs: timeMs !== null && Number.isFinite(timeMs) ? timeMs : null,
  };
}

export { numberAt, stringAt, field };
