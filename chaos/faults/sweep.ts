// Removes every Chaos Mesh object bulwark left behind. Deleting lets Chaos Mesh recover the targets and
// drop its finalizer; an object still there after a grace period is stuck (its controller cannot recover
// it, or is gone), and gets Chaos Mesh's documented forced-clean annotation, which makes the controller
// drop the finalizers without recovering. Chaos Mesh only honours that annotation once a reconcile gets
// past its records step, which a recovery that keeps failing never does (chaos-mesh issues #3929, #4311):
// an object still there after the forced clean's deadline has its finalizers removed by bulwark, the
// same outcome the annotation asks for, and the targets still recorded as injected are reported.
import { describeRef, experimentLabel, forcedCleanAnnotation, runIdLabel, type ChaosKind, type ChaosObject } from "./common.ts";
import { isNotFound, type ChaosApi } from "./api.ts";
import { injectionState } from "./injection.ts";

/** The calls a sweep makes (a ChaosApi has them all). */
export type SweepApi = Pick<ChaosApi, "listManaged" | "delete" | "find" | "annotate" | "setFinalizers" | "waitUntilGone">;

export interface SweepOptions {
  /** only this run's objects; default every object labelled managed-by=bulwark */
  runId?: string;
  /** only in these namespaces (listed one by one, as a namespaced Role allows); default every namespace */
  namespaces?: readonly string[];
  /** how long Chaos Mesh may take to recover and drop its finalizer before the forced clean (default 10 s) */
  graceMs?: number;
  /** how long Chaos Mesh may take to honour the forced-clean annotation before bulwark removes the finalizers itself (default 15 s) */
  forcedTimeoutMs?: number;
  intervalMs?: number;
  signal?: AbortSignal;
  /** one line per action, for the journal and the audit log */
  log?: (line: string) => void;
}

export interface SweptObject {
  kind: ChaosKind;
  namespace: string;
  name: string;
  runId?: string;
  experiment?: string;
  /** the forced-clean annotation was needed (the object was stuck on its finalizer) */
  forced: boolean;
  /** what removed a stuck object: Chaos Mesh honouring the annotation, or bulwark removing the finalizers */
  forcedBy?: "annotation" | "finalizers-removed";
  /** targets Chaos Mesh still recorded as injected when bulwark removed the finalizers: check them by hand */
  unrecovered?: string[];
}

export interface SweepResult {
  /** gone now */
  removed: SweptObject[];
  /** still there after the forced clean's deadline, with why */
  stuck: (SweptObject & { reason: string })[];
}

export async function sweep(api: SweepApi, options: SweepOptions = {}): Promise<SweepResult> {
  const log = options.log ?? (() => {});
  const found = await api.listManaged({ ...(options.runId ? { runId: options.runId } : {}), ...(options.namespaces ? { namespaces: options.namespaces } : {}) });
  const result: SweepResult = { removed: [], stuck: [] };
  await Promise.all(found.map(async (object) => sweepOne(api, object, options, log, result)));
  return result;
}

async function sweepOne(api: SweepApi, object: ChaosObject, options: SweepOptions, log: (line: string) => void, result: SweepResult): Promise<void> {
  const wait = { intervalMs: options.intervalMs ?? 200, ...(options.signal ? { signal: options.signal } : {}) };
  const swept = (forced: boolean): SweptObject => ({
    kind: object.kind,
    namespace: object.metadata.namespace,
    name: object.metadata.name,
    ...(object.metadata.labels[runIdLabel] ? { runId: object.metadata.labels[runIdLabel] } : {}),
    ...(object.metadata.labels[experimentLabel] ? { experiment: object.metadata.labels[experimentLabel] } : {}),
    forced,
  });
  const alreadyDeleting = Boolean(object.metadata.deletionTimestamp);
  if (!alreadyDeleting) {
    const existed = await api.delete(object);
    log(`sweep: deleted ${describeRef(object)}${existed ? "" : " (already gone)"}`);
  }
  // An object that was already being deleted when the sweep found it has had its grace period.
  if (await api.waitUntilGone(object, { ...wait, timeoutMs: alreadyDeleting ? 0 : (options.graceMs ?? 10_000) })) {
    result.removed.push(swept(false));
    return;
  }
  const stuck = await api.find(object);
  if (!stuck) {
    result.removed.push(swept(false));
    return;
  }
  try {
    await api.annotate(object, forcedCleanAnnotation);
    log(`sweep: ${describeRef(object)} stuck on finalizers ${JSON.stringify(stuck.metadata.finalizers ?? [])}: annotated chaos-mesh.chaos-mesh.org/cleanFinalizer=forced`);
    if (await api.waitUntilGone(object, { ...wait, timeoutMs: options.forcedTimeoutMs ?? 15_000 })) {
      log(`sweep: ${describeRef(object)} gone after the forced-clean annotation`);
      result.removed.push({ ...swept(true), forcedBy: "annotation" });
      return;
    }
    const last = await api.find(object);
    if (!last) {
      result.removed.push({ ...swept(true), forcedBy: "annotation" });
      return;
    }
    const unrecovered = injectionState(last).records.filter((record) => record.phase !== "Not Injected").map((record) => record.id);
    await api.setFinalizers(object, []);
    log(`sweep: ${describeRef(object)}: Chaos Mesh did not honour the annotation; removed its finalizers${unrecovered.length ? `; still recorded as injected: ${unrecovered.join(", ")}` : ""}`);
    if (await api.waitUntilGone(object, { ...wait, timeoutMs: 10_000 })) {
      result.removed.push({ ...swept(true), forcedBy: "finalizers-removed", ...(unrecovered.length ? { unrecovered } : {}) });
    } else {
      result.stuck.push({ ...swept(true), reason: "still there after its finalizers were removed" });
    }
  } catch (error) {
    if (isNotFound(error)) {
      result.removed.push(swept(true));
      return;
    }
    result.stuck.push({ ...swept(true), reason: `could not force the clean: ${error instanceof Error ? error.message : String(error)}` });
  }
}

/** "removed 2 chaos objects (1 forced); 1 stuck: PodChaos ns/name (reason)" */
export function describeSweep(result: SweepResult): string {
  const forced = result.removed.filter((object) => object.forced).length;
  const unrecovered = result.removed.flatMap((object) => object.unrecovered ?? []);
  const removed = `removed ${result.removed.length} chaos object${result.removed.length === 1 ? "" : "s"}${forced ? ` (${forced} forced)` : ""}${unrecovered.length ? `; Chaos Mesh could not recover ${unrecovered.join(", ")}: check them` : ""}`;
  if (result.stuck.length === 0) return removed;
  return `${removed}; ${result.stuck.length} stuck: ${result.stuck.map((object) => `${object.kind} ${object.namespace}/${object.name} (${object.reason})`).join(", ")}`;
}
