// The scaling watcher: watches (never polls) the HPA, its Deployment, the Deployment's pods and the
// namespace's events, and records a timeline stamped with the instant each watch event arrived.
import type { KubeConfig } from "@kubernetes/client-node";
import type { Clock } from "../../core/clock.ts";
import { ToolingError } from "../../core/errors.ts";
import { startListWatch, statusOf, type KubeObject, type WatchEventType } from "./list-watch.ts";
import { eventFacts, hpaConditions, isPodReady, podState, replicaState, selectorString } from "./observe.ts";
import { emptyTimeline, type ReplicaSample, type ScalingTimeline } from "./timeline.ts";

export interface WatchedWorkload {
  namespace: string;
  deployment: string;
  hpa: string;
}

/** What was recorded, for listeners (the observation's end, the latency benchmark). */
export type RecordKind = "sample" | "condition" | "pod" | "event";

/** Each list holds at most this many records; later ones are counted as dropped. */
const recordCap = 20_000;

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The Role's verbs a check needs, named when the cluster refuses one (docs/scaling.md has the Role). */
function refusal(what: string, namespace: string, error: unknown): Error {
  const status = statusOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (status === 401 || status === 403) {
    return new ToolingError(`scale: the cluster refused to list ${what} in namespace ${namespace} (${status}): grant get, list and watch on it (the Role in docs/scaling.md)`);
  }
  return new ToolingError(`scale: cannot list ${what} in namespace ${namespace}: ${message}`);
}

export class ScalingWatcher {
  private readonly recorded: ScalingTimeline = emptyTimeline();
  private hpa: KubeObject | undefined;
  private deployment: KubeObject | undefined;
  private readonly pods = new Map<string, KubeObject>();
  private readonly lastCondition = new Map<string, string>();
  private readonly lastPod = new Map<string, string>();
  private readonly lastEvent = new Map<string, string>();
  private readonly listeners = new Set<(kind: RecordKind, atMs: number) => void>();
  private readonly stops: (() => void)[] = [];
  private fatal: Error | undefined;
  /** Reconnects of a watch, for the timeline (a gap in observation would show here). */
  readonly reconnects: { atMs: number; reason: string }[] = [];

  constructor(
    private readonly config: KubeConfig,
    private readonly workload: WatchedWorkload,
    private readonly clock: Clock,
  ) {}

  /** Lists and starts watching; resolves when the first state of every watched collection is recorded. */
  async start(): Promise<void> {
    const k8s = await import("@kubernetes/client-node");
    const { namespace, deployment, hpa } = this.workload;
    const core = this.config.makeApiClient(k8s.CoreV1Api);
    const apps = this.config.makeApiClient(k8s.AppsV1Api);
    const autoscaling = this.config.makeApiClient(k8s.AutoscalingV2Api);
    const listOrExplain = async <T>(what: string, list: () => Promise<T>): Promise<T> => {
      try {
        return await list();
      } catch (error) {
        throw refusal(what, namespace, error);
      }
    };
    const common = {
      onReconnect: (reason: string) => this.reconnects.push({ atMs: this.clock.now(), reason }),
      onFatal: (error: Error) => (this.fatal ??= new ToolingError(`scale: ${error.message} (grant get, list and watch: the Role in docs/scaling.md)`)),
    };
    try {
      this.stops.push(
        (
          await startListWatch(this.config, {
            path: `/apis/apps/v1/namespaces/${namespace}/deployments`,
            fieldSelector: `metadata.name=${deployment}`,
            list: () => listOrExplain("deployments", () => apps.listNamespacedDeployment({ namespace, fieldSelector: `metadata.name=${deployment}` }) as Promise<never>),
            onEvent: (type, object) => this.onDeployment(type, object),
            ...common,
          })
        ).stop,
      );
      this.stops.push(
        (
          await startListWatch(this.config, {
            path: `/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers`,
            fieldSelector: `metadata.name=${hpa}`,
            list: () => listOrExplain("horizontalpodautoscalers", () => autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace, fieldSelector: `metadata.name=${hpa}` }) as Promise<never>),
            onEvent: (type, object) => this.onHpa(type, object),
            ...common,
          })
        ).stop,
      );
      if (!this.deployment) throw new ToolingError(`scale: Deployment ${namespace}/${deployment} is gone`);
      const labelSelector = selectorString(this.deployment);
      this.stops.push(
        (
          await startListWatch(this.config, {
            path: `/api/v1/namespaces/${namespace}/pods`,
            labelSelector,
            list: () => listOrExplain("pods", () => core.listNamespacedPod({ namespace, labelSelector }) as Promise<never>),
            onEvent: (type, object) => this.onPod(type, object),
            ...common,
          })
        ).stop,
      );
      this.stops.push(
        (
          await startListWatch(this.config, {
            path: `/api/v1/namespaces/${namespace}/events`,
            list: () => listOrExplain("events", () => core.listNamespacedEvent({ namespace }) as Promise<never>),
            onEvent: (type, object) => this.onEvent(type, object),
            ...common,
          })
        ).stop,
      );
    } catch (error) {
      this.stop();
      throw error;
    }
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
  }

  /** A watch the cluster refused for good (a missing verb), if any. */
  failure(): Error | undefined {
    return this.fatal;
  }

  timeline(): ScalingTimeline {
    return this.recorded;
  }

  /** Called after every record, with what was recorded and when. */
  onRecord(listener: (kind: RecordKind, atMs: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Names of the Deployment's Ready pods (not terminating). */
  readyPods(): string[] {
    return [...this.pods.values()].filter(isPodReady).map((pod) => pod.metadata?.name ?? "");
  }

  /** Names of the Deployment's pods that are not terminating. */
  livePods(): string[] {
    return [...this.pods.values()].filter((pod) => !pod.metadata?.deletionTimestamp).map((pod) => pod.metadata?.name ?? "");
  }

  private push<T>(list: T[], item: T, kind: RecordKind, atMs: number): void {
    if (list.length >= recordCap) {
      this.recorded.dropped++;
      return;
    }
    list.push(item);
    for (const listener of this.listeners) listener(kind, atMs);
  }

  private recordSample(atMs: number): void {
    const state = replicaState(this.hpa, this.deployment);
    const last = this.recorded.samples[this.recorded.samples.length - 1];
    if (last) {
      const { atMs: _previous, ...lastState } = last;
      if (sameJson(lastState, state)) return;
    }
    this.push<ReplicaSample>(this.recorded.samples, { atMs, ...state }, "sample", atMs);
  }

  private onHpa(type: WatchEventType, object: KubeObject): void {
    const atMs = this.clock.now();
    this.hpa = type === "DELETED" ? undefined : object;
    for (const condition of type === "DELETED" ? [] : hpaConditions(object)) {
      const key = JSON.stringify([condition.status, condition.reason, condition.message]);
      if (this.lastCondition.get(condition.type) === key) continue;
      this.lastCondition.set(condition.type, key);
      this.push(this.recorded.conditions, { atMs, ...condition }, "condition", atMs);
    }
    this.recordSample(atMs);
  }

  private onDeployment(type: WatchEventType, object: KubeObject): void {
    const atMs = this.clock.now();
    this.deployment = type === "DELETED" ? undefined : object;
    this.recordSample(atMs);
  }

  private onPod(type: WatchEventType, object: KubeObject): void {
    const atMs = this.clock.now();
    const name = object.metadata?.name ?? "";
    if (type === "DELETED") this.pods.delete(name);
    else this.pods.set(name, object);
    const state = type === "DELETED" ? { ...podState(object), deleted: true } : podState(object);
    const key = JSON.stringify(state);
    if (this.lastPod.get(name) === key) return;
    this.lastPod.set(name, key);
    if (type === "DELETED") this.lastPod.delete(name);
    this.push(this.recorded.pods, { atMs, ...state }, "pod", atMs);
  }

  private onEvent(type: WatchEventType, object: KubeObject): void {
    if (type === "DELETED") return;
    const atMs = this.clock.now();
    const facts = eventFacts(object);
    const { deployment, hpa } = this.workload;
    const concerns =
      (facts.kind === "HorizontalPodAutoscaler" && facts.name === hpa) ||
      (facts.kind === "Deployment" && facts.name === deployment) ||
      ((facts.kind === "ReplicaSet" || facts.kind === "Pod") && (facts.name.startsWith(`${deployment}-`) || this.pods.has(facts.name)));
    if (!concerns) return;
    const key = `${facts.kind}/${facts.name}/${facts.reason}`;
    const seen = JSON.stringify([facts.count, facts.message]);
    if (this.lastEvent.get(key) === seen) return;
    this.lastEvent.set(key, seen);
    // An event from before the watch started keeps its own time, so it never counts as recent.
    const eventAtMs = facts.timeMs !== null && facts.timeMs < atMs - 60_000 ? facts.timeMs : atMs;
    const record = { atMs: eventAtMs, type: facts.type, reason: facts.reason, message: facts.message, object: `${facts.kind}/${facts.name}`, count: facts.count };
    // Kept in time order: an old event from the first list goes before the rest.
    if (eventAtMs < atMs) {
      if (this.recorded.events.length >= recordCap) {
        this.recorded.dropped++;
        return;
      }
      const index = this.recorded.events.findIndex((event) => event.atMs > eventAtMs);
      this.recorded.events.splice(index === -1 ? this.recorded.events.length : index, 0, record);
      return;
    }
    this.push(this.recorded.events, record, "event", atMs);
  }
}
