// Proof at pod level that a pod fault took effect and that the pods came back, from snapshots of the
// target's pods (pure comparisons, so each proof is unit-tested):
// - pod-kill: the selected pod (by UID) is gone; recovery: a replacement pod (a new UID) is Ready.
// - pod-failure: the selected pod keeps its UID and its spec shows the image Chaos Mesh swaps in;
//   recovery: its spec has its own images again and it is Ready.
import type { CoreV1Api, V1Pod } from "@kubernetes/client-node";
import { isReady, labelSelectorText } from "./probes.ts";

export interface PodState {
  name: string;
  uid: string;
  ready: boolean;
  terminating: boolean;
  /** Images of the spec's containers, in order. */
  images: string[];
}

export interface Proof {
  proven: boolean;
  detail: string;
}

export function podState(pod: V1Pod): PodState {
  return {
    name: pod.metadata?.name ?? "",
    uid: pod.metadata?.uid ?? "",
    ready: isReady(pod),
    terminating: Boolean(pod.metadata?.deletionTimestamp),
    images: (pod.spec?.containers ?? []).map((container) => container.image ?? ""),
  };
}

export async function snapshotPods(core: CoreV1Api, namespace: string, selector: Record<string, string>): Promise<PodState[]> {
  const list = await core.listNamespacedPod({ namespace, labelSelector: labelSelectorText(selector) });
  return list.items.map(podState);
}

/** Pod names of Chaos Mesh's records ("namespace/pod" or "namespace/pod/container"). */
export const recordedPods = (records: readonly string[]): string[] => [...new Set(records.map((record) => record.split("/")[1] ?? record))];

const shortUid = (uid: string): string => uid.slice(0, 8);

function selected(before: readonly PodState[], records: readonly string[]): PodState[] {
  const names = new Set(recordedPods(records));
  return before.filter((pod) => names.has(pod.name));
}

export function killProof(before: readonly PodState[], now: readonly PodState[], records: readonly string[]): Proof {
  const victims = selected(before, records);
  if (victims.length === 0) return { proven: false, detail: `no pod of the records (${records.join(", ") || "none"}) was among the target's pods before the fault` };
  const gone = victims.filter((victim) => !now.some((pod) => pod.uid === victim.uid && !pod.terminating));
  if (gone.length < victims.length) return { proven: false, detail: `pod ${victims.find((victim) => !gone.includes(victim))!.name} (uid ${shortUid(victims[0]!.uid)}) is still there` };
  return { proven: true, detail: gone.map((pod) => `pod ${pod.name} (uid ${shortUid(pod.uid)}) deleted`).join("; ") };
}

/** After a pod-kill: as many Ready pods as before, at least one with a UID that did not exist before. */
export function replacementReady(before: readonly PodState[], now: readonly PodState[]): Proof {
  const known = new Set(before.map((pod) => pod.uid));
  const readyBefore = before.filter((pod) => pod.ready).length;
  const ready = now.filter((pod) => pod.ready);
  const replacements = ready.filter((pod) => !known.has(pod.uid));
  if (replacements.length === 0 || ready.length < readyBefore) return { proven: false, detail: `${ready.length} Ready pods (${readyBefore} before), ${replacements.length} of them new` };
  return { proven: true, detail: `replacement ${replacements.map((pod) => `${pod.name} (uid ${shortUid(pod.uid)})`).join(", ")} Ready; ${ready.length} Ready pods (${readyBefore} before)` };
}

export function failureProof(before: readonly PodState[], now: readonly PodState[], records: readonly string[]): Proof {
  const victims = selected(before, records);
  if (victims.length === 0) return { proven: false, detail: `no pod of the records (${records.join(", ") || "none"}) was among the target's pods before the fault` };
  const details: string[] = [];
  for (const victim of victims) {
    const current = now.find((pod) => pod.name === victim.name);
    if (!current) return { proven: false, detail: `pod ${victim.name} is gone (pod-failure keeps the pod)` };
    if (current.uid !== victim.uid) return { proven: false, detail: `pod ${victim.name} has a new uid ${shortUid(current.uid)} (was ${shortUid(victim.uid)})` };
    const swapped = current.images.filter((image, index) => image !== victim.images[index]);
    if (swapped.length === 0) return { proven: false, detail: `pod ${victim.name} still runs its own image ${victim.images.join(", ")}` };
    details.push(`pod ${victim.name} keeps uid ${shortUid(victim.uid)}; its spec runs ${swapped.join(", ")} (was ${victim.images.join(", ")})`);
  }
  return { proven: true, detail: details.join("; ") };
}

export function failureRecovered(before: readonly PodState[], now: readonly PodState[], records: readonly string[]): Proof {
  for (const victim of selected(before, records)) {
    const current = now.find((pod) => pod.uid === victim.uid);
    if (!current) return { proven: false, detail: `pod ${victim.name} (uid ${shortUid(victim.uid)}) is gone` };
    if (current.images.join() !== victim.images.join()) return { proven: false, detail: `pod ${victim.name} still runs ${current.images.join(", ")}` };
    if (!current.ready) return { proven: false, detail: `pod ${victim.name} is not Ready` };
  }
  return { proven: true, detail: `${recordedPods(records).join(", ")} back on ${selected(before, records)[0]?.images.join(", ") ?? "its images"} and Ready` };
}
