// The Deployment, its ReplicaSets and pods as the watches last reported them, each event stamped with our
// clock and handed to the journal; waits are decided on every event (and on a short local tick for the
// rules that depend on elapsed time: a readiness timeout, the live SLO, giving up).
import type { V1Deployment, V1Pod, V1ReplicaSet } from "@kubernetes/client-node";
import type { Clock } from "../../core/clock.ts";
import { selectorString, type DeploymentRef, type RolloutCluster, type WatchEventType, type Watching } from "./cluster.ts";
import type { RolloutJournal } from "./journal.ts";

/** How often time-based rules are re-evaluated between watch events (local state only, no API call). */
const tickMs = 200;

export class LiveState {
  deployment: V1Deployment | undefined;
  readonly replicaSets = new Map<string, V1ReplicaSet>();
  readonly pods = new Map<string, V1Pod>();
  private journal: RolloutJournal | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly watches: Watching[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly log: (line: string) => void,
  ) {}

  /** Starts the three watches; the first events are the objects' current state. */
  start(cluster: RolloutCluster, ref: DeploymentRef, deployment: V1Deployment): void {
    const selector = selectorString(deployment.spec?.selector);
    const base = `/namespaces/${ref.namespace}`;
    const problem = (message: string) => this.log(`rollout: ${message}`);
    this.watches.push(
      cluster.watch(`/apis/apps/v1${base}/deployments`, { fieldSelector: `metadata.name=${ref.name}` }, (type, object) => this.onDeployment(type, object as V1Deployment), problem),
      cluster.watch(`/apis/apps/v1${base}/replicasets`, { labelSelector: selector }, (type, object) => this.onReplicaSet(type, object as V1ReplicaSet), problem),
      cluster.watch(`/api/v1${base}/pods`, { labelSelector: selector }, (type, object) => this.onPod(type, object as V1Pod), problem),
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.watches.splice(0).map((watching) => watching.stop()));
  }

  /** From now on every event also goes to the journal, which first gets the current state. */
  record(journal: RolloutJournal): void {
    const now = this.clock.now();
    if (this.deployment) journal.observeDeployment(now, this.deployment);
    for (const replicaSet of this.replicaSets.values()) journal.observeReplicaSet(now, replicaSet, false);
    for (const pod of this.pods.values()) journal.observePod(now, pod, false);
    this.journal = journal;
  }

  private onDeployment(type: WatchEventType, deployment: V1Deployment): void {
    this.deployment = type === "DELETED" ? undefined : deployment;
    if (type !== "DELETED") this.journal?.observeDeployment(this.clock.now(), deployment);
    this.notify();
  }

  private onReplicaSet(type: WatchEventType, replicaSet: V1ReplicaSet): void {
    const name = replicaSet.metadata?.name ?? "?";
    if (type === "DELETED") this.replicaSets.delete(name);
    else this.replicaSets.set(name, replicaSet);
    this.journal?.observeReplicaSet(this.clock.now(), replicaSet, type === "DELETED");
    this.notify();
  }

  private onPod(type: WatchEventType, pod: V1Pod): void {
    const name = pod.metadata?.name ?? "?";
    if (type === "DELETED") this.pods.delete(name);
    else this.pods.set(name, pod);
    this.journal?.observePod(this.clock.now(), pod, type === "DELETED");
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /**
   * Resolves with the first answer `decide` gives (on an event or a tick); with `onTimeout`'s answer when
   * `timeoutMs` passes first; rejects with the signal's reason on abort.
   */
  until<T>(decide: () => T | undefined, options: { timeoutMs: number; signal: AbortSignal; onTimeout: () => T }): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const deadline = this.clock.now() + options.timeoutMs;
      let settled = false;
      const finish = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearInterval(ticker);
        this.listeners.delete(evaluate);
        options.signal.removeEventListener("abort", onAbort);
        outcome();
      };
      const evaluate = () => {
        if (settled) return;
        try {
          const answer = decide();
          if (answer !== undefined) return finish(() => resolve(answer));
          if (this.clock.now() >= deadline) finish(() => resolve(options.onTimeout()));
        } catch (error) {
          finish(() => reject(error));
        }
      };
      const onAbort = () => finish(() => reject(options.signal.reason));
      const ticker = setInterval(evaluate, tickMs);
      this.listeners.add(evaluate);
      options.signal.addEventListener("abort", onAbort, { once: true });
      if (options.signal.aborted) onAbort();
      else evaluate();
    });
  }
}
