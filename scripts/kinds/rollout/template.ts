// Pod templates compared, changed and restored. Two templates are the same release when they are equal
// apart from the pod-template-hash label the Deployment controller adds to its ReplicaSets; revision
// numbers are no help (an undo gives the old template a new revision).
import type { V1Deployment, V1PodTemplateSpec, V1ReplicaSet } from "@kubernetes/client-node";
import { UsageError } from "../../core/errors.ts";
import { quoteName } from "../../core/quote-value.ts";
import type { RolloutChange } from "./definition.ts";

export const podTemplateHashLabel = "pod-template-hash";
export const revisionAnnotation = "deployment.kubernetes.io/revision";

/** Deployment annotations an undo keeps from the Deployment rather than the ReplicaSet (as `kubectl rollout undo`). */
const deploymentOwnedAnnotations = new Set([
  "kubectl.kubernetes.io/last-applied-configuration",
  revisionAnnotation,
  "deployment.kubernetes.io/revision-history",
  "deployment.kubernetes.io/desired-replicas",
  "deployment.kubernetes.io/max-replicas",
  "deprecated.deployment.rollback.to",
]);

/** Plain JSON (API objects may carry Date instances), keys sorted, null and undefined dropped. */
function canonical(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== null && item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([key, item]) => [key, canonical(item)]));
  }
  return value;
}

/** The template without the pod-template-hash label, as plain JSON. */
export function withoutHash(template: V1PodTemplateSpec | undefined): V1PodTemplateSpec {
  const plain = canonical(template ?? {}) as V1PodTemplateSpec;
  const labels = { ...(plain.metadata?.labels ?? {}) };
  delete labels[podTemplateHashLabel];
  return { ...plain, metadata: { ...plain.metadata, labels } };
}

export function sameTemplate(a: V1PodTemplateSpec | undefined, b: V1PodTemplateSpec | undefined): boolean {
  return JSON.stringify(withoutHash(a)) === JSON.stringify(withoutHash(b));
}

export const templateHashOf = (replicaSet: V1ReplicaSet): string | undefined => replicaSet.metadata?.labels?.[podTemplateHashLabel];

export const revisionOf = (object: { metadata?: { annotations?: Record<string, string> } }): number => Number(object.metadata?.annotations?.[revisionAnnotation] ?? 0) || 0;

/** The ReplicaSet running the Deployment's current template (the newest one equal to it), if any. */
export function currentReplicaSet(deployment: V1Deployment, replicaSets: readonly V1ReplicaSet[]): V1ReplicaSet | undefined {
  return [...replicaSets].sort((a, b) => revisionOf(b) - revisionOf(a)).find((replicaSet) => sameTemplate(replicaSet.spec?.template, deployment.spec?.template));
}

/** One line saying what the change is: "image app: bulwark/app:1 -> bulwark/app:2" or "template patch". */
export function describeChange(change: RolloutChange, template: V1PodTemplateSpec | undefined): string {
  if (change.templatePatch) return `pod template patch ${JSON.stringify(change.templatePatch)}`;
  const container = changedContainer(change, template);
  const before = template?.spec?.containers.find((candidate) => candidate.name === container)?.image ?? "?";
  return `image ${container}: ${before} -> ${change.image}`;
}

/** The container an image change applies to: the named one, or the only one. */
export function changedContainer(change: RolloutChange, template: V1PodTemplateSpec | undefined, field = "change"): string {
  const names = (template?.spec?.containers ?? []).map((container) => container.name);
  if (change.container !== undefined) {
    if (!names.includes(change.container)) throw new UsageError(`${field}.container: the pod template has no container ${quoteName(change.container)} (containers: ${names.join(", ") || "none"})`);
    return change.container;
  }
  if (names.length !== 1) throw new UsageError(`${field}.container: the pod template has ${names.length} containers (${names.join(", ")}): name the one that gets the image`);
  return names[0]!;
}

/** The change as a strategic merge patch of the Deployment (containers merge by name). */
export function changePatch(change: RolloutChange, template: V1PodTemplateSpec | undefined, field = "change"): object {
  if (change.templatePatch) return { spec: { template: change.templatePatch } };
  return { spec: { template: { spec: { containers: [{ name: changedContainer(change, template, field), image: change.image }] } } } };
}

/**
 * What `kubectl rollout undo` sends: a JSON patch that puts the ReplicaSet's template (without its hash
 * label) back into the Deployment and takes the ReplicaSet's annotations (change-cause, ...) with it,
 * keeping the Deployment's own bookkeeping annotations.
 */
export function undoPatch(deployment: V1Deployment, target: { template: V1PodTemplateSpec; annotations?: Record<string, string> }): object[] {
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(deployment.metadata?.annotations ?? {})) if (deploymentOwnedAnnotations.has(key)) annotations[key] = value;
  for (const [key, value] of Object.entries(target.annotations ?? {})) if (!deploymentOwnedAnnotations.has(key)) annotations[key] = value;
  return [
    { op: "replace", path: "/spec/template", value: withoutHash(target.template) },
    { op: "add", path: "/metadata/annotations", value: annotations },
  ];
}
