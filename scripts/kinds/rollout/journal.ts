// What the watches saw, in order: the ReplicaSets' desired and ready replicas, the Deployment's
// conditions and the pods, turned into the step's series (ready replicas of the old and the new
// ReplicaSet), its timeline and the facts that explain a slow or failed rollout. Pure: fed with times.
import type { V1Deployment, V1Pod, V1ReplicaSet } from "@kubernetes/client-node";
import type { ExtraSeries, TimelineEvent } from "../../core/step-result.ts";
import { podTemplateHashLabel, templateHashOf } from "./template.ts";

/** Timeline events kept at most: a flapping object must not grow the report without bound. */
const maxTimelineEvents = 400;

interface ReplicaSetView {
  name: string;
  hash: string;
  desired: number;
  ready: number;
  available: number;
}

/** A pod of the Deployment as the journal keeps it: enough to explain what it was doing. */
export interface PodView {
  name: string;
  hash: string;
  phase: string;
  ready: boolean;
  /** Our clock when the pod was first seen running, not Ready. */
  runningUnreadySinceMs: number | null;
  /** Why it is not Ready, not scheduled or not running (condition or container reasons and messages). */
  reason: string;
  deleted: boolean;
}

export type Role = "old" | "new";

export class RolloutJournal {
  private readonly replicaSets = new Map<string, ReplicaSetView>();
  private readonly pods = new Map<string, PodView>();
  private readonly conditions = new Map<string, string>();
  private readonly events: TimelineEvent[] = [];
  private readonly points: Record<Role, [number, number][]> = { old: [], new: [] };
  /** Ready pods of every ReplicaSet of the Deployment together, after each change. */
  private readonly totalReady: [number, number][] = [];
  private changedHash: string | undefined;
  private omittedEvents = 0;

  constructor(readonly originalHash: string) {}

  /** From the change on, the ReplicaSet of this hash is the new one. */
  setChangedHash(atMs: number, hash: string): void {
    this.changedHash = hash;
    const view = [...this.replicaSets.values()].find((candidate) => candidate.hash === hash);
    if (view) this.points.new.push([atMs, view.ready]);
  }

  roleOf(hash: string): Role | undefined {
    if (hash === this.originalHash) return "old";
    if (this.changedHash !== undefined && hash === this.changedHash) return "new";
    return undefined;
  }

  mark(atMs: number, event: string, detail = ""): void {
    if (this.events.length >= maxTimelineEvents) {
      this.omittedEvents += 1;
      return;
    }
    this.events.push({ at: new Date(atMs).toISOString(), event, detail });
  }

  private label(view: ReplicaSetView): string {
    const role = this.roleOf(view.hash);
    return `${role ? `${role} ` : ""}ReplicaSet ${view.name}`;
  }

  observeReplicaSet(atMs: number, replicaSet: V1ReplicaSet, deleted: boolean): void {
    const name = replicaSet.metadata?.name ?? "?";
    const view: ReplicaSetView = {
      name,
      hash: templateHashOf(replicaSet) ?? "?",
      desired: deleted ? 0 : (replicaSet.spec?.replicas ?? 0),
      ready: deleted ? 0 : (replicaSet.status?.readyReplicas ?? 0),
      available: deleted ? 0 : (replicaSet.status?.availableReplicas ?? 0),
    };
    const before = this.replicaSets.get(name);
    this.replicaSets.set(name, view);
    if (!before) this.mark(atMs, "replicaset-seen", `${this.label(view)}: desired ${view.desired}, ready ${view.ready}`);
    else {
      if (before.desired !== view.desired) this.mark(atMs, "replicaset-scaled", `${this.label(view)}: desired ${before.desired} -> ${view.desired}`);
      if (before.ready !== view.ready) this.mark(atMs, "replicaset-ready", `${this.label(view)}: ready ${before.ready} -> ${view.ready} of ${view.desired}`);
    }
    if (deleted) this.mark(atMs, "replicaset-deleted", this.label(view));
    const role = this.roleOf(view.hash);
    if (role && (!before || before.ready !== view.ready)) this.points[role].push([atMs, view.ready]);
    const total = [...this.replicaSets.values()].reduce((sum, candidate) => sum + candidate.ready, 0);
    if (this.totalReady.at(-1)?.[1] !== total) this.totalReady.push([atMs, total]);
  }

  observeDeployment(atMs: number, deployment: V1Deployment): void {
    for (const condition of deployment.status?.conditions ?? []) {
      const state = `${condition.type}=${condition.status} ${condition.reason ?? ""}`.trim();
      if (this.conditions.get(condition.type) === state) continue;
      this.conditions.set(condition.type, state);
      this.mark(atMs, "deployment-condition", `${state}${condition.message ? `: ${condition.message}` : ""}`);
    }
  }

  observePod(atMs: number, pod: V1Pod, deleted: boolean): void {
    const name = pod.metadata?.name ?? "?";
    const ready = (pod.status?.conditions ?? []).some((condition) => condition.type === "Ready" && condition.status === "True");
    const phase = pod.status?.phase ?? "Pending";
    const before = this.pods.get(name);
    const runningUnready = !deleted && !pod.metadata?.deletionTimestamp && phase === "Running" && !ready;
    this.pods.set(name, {
      name,
      hash: pod.metadata?.labels?.[podTemplateHashLabel] ?? "?",
      phase,
      ready,
      runningUnreadySinceMs: runningUnready ? (before?.runningUnreadySinceMs ?? atMs) : null,
      reason: podReason(pod),
      deleted: deleted || Boolean(pod.metadata?.deletionTimestamp),
    });
  }

  /** Pods of the ReplicaSet with this hash that still exist. */
  podsOf(hash: string): PodView[] {
    return [...this.pods.values()].filter((pod) => pod.hash === hash && !pod.deleted);
  }

  replicaSetOf(hash: string): ReplicaSetView | undefined {
    return [...this.replicaSets.values()].find((view) => view.hash === hash);
  }

  /** The fewest ready pods (all ReplicaSets together) between two instants, and the most. */
  readyRange(fromMs: number, toMs: number): { min: number; max: number } | null {
    const inside = this.totalReady.filter(([at]) => at >= fromMs && at <= toMs).map(([, value]) => value);
    const atStart = [...this.totalReady].reverse().find(([at]) => at < fromMs)?.[1];
    const values = atStart === undefined ? inside : [atStart, ...inside];
    return values.length === 0 ? null : { min: Math.min(...values), max: Math.max(...values) };
  }

  /** Ready replicas of the old and the new ReplicaSet, each extended to `endMs` so the lines reach the end. */
  series(endMs: number): ExtraSeries[] {
    const extend = (points: [number, number][]): [number, number][] => (points.length === 0 ? [] : [...points, [endMs, points.at(-1)![1]]]);
    const hashOf = (role: Role) => (role === "old" ? this.originalHash : this.changedHash);
    return (["old", "new"] as const)
      .filter((role) => this.points[role].length > 0)
      .map((role) => ({ name: `ready replicas, ${role} ReplicaSet (${hashOf(role)})`, unit: "replicas", points: extend(this.points[role]) }));
  }

  timeline(): TimelineEvent[] {
    const sorted = [...this.events].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    return this.omittedEvents > 0 ? [...sorted, { at: sorted.at(-1)!.at, event: "timeline-truncated", detail: `${this.omittedEvents} further events not kept` }] : sorted;
  }
}

/** Why a pod is not (yet) serving, from its conditions and container states. */
export function podReason(pod: V1Pod): string {
  const scheduled = pod.status?.conditions?.find((condition) => condition.type === "PodScheduled");
  if (scheduled?.status === "False") return `not scheduled (${scheduled.reason ?? "?"}${scheduled.message ? `: ${scheduled.message}` : ""})`;
  for (const status of pod.status?.containerStatuses ?? []) {
    const waiting = status.state?.waiting;
    if (waiting) return `container ${status.name} waiting (${waiting.reason ?? "?"}${waiting.message ? `: ${waiting.message}` : ""})`;
    const terminated = status.state?.terminated;
    if (terminated) return `container ${status.name} terminated (${terminated.reason ?? "?"}, exit code ${terminated.exitCode})`;
  }
  const ready = pod.status?.conditions?.find((condition) => condition.type === "Ready");
  if (ready && ready.status !== "True") return `not Ready (${ready.reason ?? "?"}${ready.message ? `: ${ready.message}` : ""})`;
  return pod.status?.phase ?? "Pending";
}
