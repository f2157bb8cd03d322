// List, then watch from the list's resourceVersion, and keep watching: a watch the client or the server
// closed resumes from the last resourceVersion seen; one the server no longer serves (410 Gone) starts
// over with a fresh list, which also tells which objects vanished meanwhile. No polling: every change
// reaches the caller as the watch event arrives.
import type { KubeConfig } from "@kubernetes/client-node";

/** A Kubernetes object as the watch delivers it (plain JSON); lists give the same fields. */
export interface KubeObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; deletionTimestamp?: unknown; labels?: Record<string, string> };
  [field: string]: unknown;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface ListWatchSpec {
  /** The collection's API path, e.g. /api/v1/namespaces/demo/pods. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** One page of the collection (the caller's typed client); items and the list's resourceVersion. */
  list(): Promise<{ items: KubeObject[]; metadata?: { resourceVersion?: string } }>;
  onEvent(type: WatchEventType, object: KubeObject): void;
  /** A watch that ended and is being resumed, for the timeline. */
  onReconnect?(reason: string): void;
  /** A failure that ends this watch for good (403: the Role lacks a verb). */
  onFatal(error: Error): void;
}

/** The HTTP status of a failed request, from the client's error or a watch ERROR object. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const candidate = error as { statusCode?: unknown; code?: unknown };
  if (typeof candidate.statusCode === "number") return candidate.statusCode;
  if (typeof candidate.code === "number") return candidate.code;
  return undefined;
}

const nameOf = (object: KubeObject): string => object.metadata?.name ?? "";

/** Retry delays for a watch that failed for a reason other than a timeout: quick at first, at most 5 s apart. */
const retryDelayMs = (attempt: number): number => Math.min(5000, 250 * 2 ** attempt);

/**
 * Starts listing and watching; resolves once the first list has been delivered (so the caller has the
 * state before anything else happens), rejects if that first list fails. `stop` ends it.
 */
export async function startListWatch(config: KubeConfig, spec: ListWatchSpec): Promise<{ stop(): void }> {
  const { Watch } = await import("@kubernetes/client-node");
  const watch = new Watch(config);
  const known = new Set<string>();
  let resourceVersion = "";
  let request: AbortController | undefined;
  let stopped = false;
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;

  async function relist(): Promise<void> {
    const list = await spec.list();
    const listed = new Set<string>();
    for (const item of list.items) {
      const name = nameOf(item);
      listed.add(name);
      spec.onEvent(known.has(name) ? "MODIFIED" : "ADDED", item);
    }
    for (const name of [...known]) {
      if (!listed.has(name)) spec.onEvent("DELETED", { metadata: { name } });
    }
    known.clear();
    for (const name of listed) known.add(name);
    resourceVersion = list.metadata?.resourceVersion ?? "";
  }

  function scheduleRetry(reason: string, error: unknown): void {
    if (stopped) return;
    const status = statusOf(error);
    if (status === 401 || status === 403 || status === 404) {
      stopped = true;
      spec.onFatal(new Error(`${status === 403 ? "forbidden" : status === 401 ? "unauthorized" : "not found"}: cannot watch ${spec.path}`));
      return;
    }
    spec.onReconnect?.(reason);
    retryTimer = setTimeout(() => void connect(), retryDelayMs(failures++));
  }

  async function connect(): Promise<void> {
    if (stopped) return;
    try {
      if (!resourceVersion) await relist();
      if (stopped) return;
      const query = { resourceVersion, allowWatchBookmarks: true, labelSelector: spec.labelSelector, fieldSelector: spec.fieldSelector };
      request = await watch.watch(spec.path, query, onWatchEvent, onDone);
    } catch (error) {
      if (statusOf(error) === 410) resourceVersion = "";
      scheduleRetry(`watch of ${spec.path} failed: ${error instanceof Error ? error.message : String(error)}`, error);
    }
  }

  function onWatchEvent(type: string, object: KubeObject): void {
    if (stopped) return;
    if (type === "ERROR") {
      // The server ends the watch after this; 410 means the resourceVersion is too old: list again.
      if (statusOf(object) === 410) resourceVersion = "";
      return;
    }
    const version = object.metadata?.resourceVersion;
    if (version) resourceVersion = version;
    if (type === "BOOKMARK") return;
    failures = 0;
    const name = nameOf(object);
    if (type === "DELETED") known.delete(name);
    else known.add(name);
    if (type === "ADDED" || type === "MODIFIED" || type === "DELETED") spec.onEvent(type, object);
  }

  function onDone(error: unknown): void {
    request = undefined;
    if (stopped) return;
    const timedOut = error instanceof Error && error.name === "TimeoutError";
    if (!error || timedOut) {
      // The client's inactivity timeout or the server's watch timeout: resume where it stopped.
      void connect();
      return;
    }
    if (statusOf(error) === 410) resourceVersion = "";
    scheduleRetry(`watch of ${spec.path} ended: ${error instanceof Error ? error.message : String(error)}`, error);
  }

  await relist();
  request = await watch.watch(spec.path, { resourceVersion, allowWatchBookmarks: true, labelSelector: spec.labelSelector, fieldSelector: spec.fieldSelector }, onWatchEvent, onDone);
  return {
    stop() {
      stopped = true;
      clearTimeout(retryTimer);
      request?.abort();
    },
  };
}
