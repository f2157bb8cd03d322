// Why a rollout was slow, stuck or dropped requests, told from the Deployment's strategy and what its
// pods did: the sentences a failed rollout check carries. Pure.
import { formatMs } from "../../core/format.ts";
import type { PodView } from "./journal.ts";
import type { StrategyFacts } from "./strategy.ts";

/** How the rollout phase ended. */
export type RolloutEnd = "complete" | "deadline-exceeded" | "readiness-timeout" | "slo-breach" | "gave-up" | "aborted";

export interface RolloutFacts {
  strategy: StrategyFacts;
  /** Containers of the new template without a readiness probe. */
  withoutReadinessProbe: readonly string[];
  end: RolloutEnd;
  /** What detected the end, e.g. the condition message or the SLO figures. */
  endDetail: string;
  /** Change to the end of the rollout phase. */
  rolloutMs: number;
  /** The budget the rollout phase is held to (completesWithin), if any. */
  budgetMs?: number;
  /** How long bulwark waited before giving up. */
  giveUpMs: number;
  /** Pods of the new ReplicaSet at the end of the rollout phase, and that instant (for how long they waited). */
  newPods: readonly PodView[];
  endMs: number;
  /** Ready pods of the Deployment (all ReplicaSets) during the rollout phase. */
  readyDuringRollout: { min: number; max: number } | null;
  /** Real pods only: failed requests during the rollout phase, and how many requests ended in it. */
  failedRequests?: { failed: number; total: number };
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? "" : "s"}`;

/** One sentence per group of new pods in the same state: "2 new pods Running, not Ready (...) for 5.1 s". */
function newPodLines(facts: RolloutFacts): string[] {
  const groups = new Map<string, PodView[]>();
  for (const pod of facts.newPods.filter((candidate) => !candidate.ready)) {
    const key = `${pod.phase}: ${pod.reason}`;
    groups.set(key, [...(groups.get(key) ?? []), pod]);
  }
  return [...groups.entries()].map(([state, pods]) => {
    const since = Math.min(...pods.map((pod) => pod.runningUnreadySinceMs ?? Number.POSITIVE_INFINITY));
    const waited = Number.isFinite(since) ? ` for ${formatMs(facts.endMs - since)}` : "";
    return `${plural(pods.length, "new pod")} ${state}${waited}`;
  });
}

/** How many groups of new pods a rolling update needs, given what the strategy lets it replace at once. */
export function rolloutWaves(strategy: StrategyFacts): number {
  if (strategy.type === "Recreate") return 1;
  return Math.max(1, Math.ceil(strategy.replicas / Math.max(1, strategy.maxSurge + strategy.maxUnavailable)));
}

function paceLine(strategy: StrategyFacts): string {
  if (strategy.type === "Recreate") return "strategy Recreate: every old pod is stopped before any new one starts";
  const atOnce = strategy.maxSurge + strategy.maxUnavailable;
  const minReady = strategy.minReadySeconds > 0 ? ` and then stay Ready for minReadySeconds (${strategy.minReadySeconds} s)` : "";
  return (
    `maxSurge ${strategy.maxSurgeSpec} (${strategy.maxSurge}) and maxUnavailable ${strategy.maxUnavailableSpec} (${strategy.maxUnavailable}) with ${plural(strategy.replicas, "replica")}: ` +
    `at most ${atOnce} pods are replaced at a time, so about ${plural(rolloutWaves(strategy), "wave")} whose new pods must become Ready${minReady} before the next`
  );
}

function endLine(facts: RolloutFacts): string | null {
  const { strategy } = facts;
  switch (facts.end) {
    case "deadline-exceeded":
      return `the Deployment reported ProgressDeadlineExceeded after ${formatMs(facts.rolloutMs)}: no new pod became available within progressDeadlineSeconds (${strategy.progressDeadlineSeconds} s)${facts.endDetail ? ` (${facts.endDetail})` : ""}`;
    case "readiness-timeout":
      return `readiness never reached: ${facts.endDetail}`;
    case "slo-breach":
      return `the SLO broke during the rollout: ${facts.endDetail}`;
    case "gave-up": {
      const deadline = strategy.progressDeadlineSeconds;
      const late = deadline !== null && deadline * 1000 >= facts.giveUpMs ? `; its progressDeadlineSeconds (${deadline} s) is longer than that, so the Deployment itself had not yet called it stuck` : "";
      return `the rollout neither completed nor failed within ${formatMs(facts.giveUpMs)}${late}`;
    }
    case "aborted":
      return "the check was interrupted during the rollout";
    case "complete":
      return facts.budgetMs !== undefined && facts.rolloutMs > facts.budgetMs ? `the rollout completed in ${formatMs(facts.rolloutMs)}, over its budget of ${formatMs(facts.budgetMs)}` : null;
  }
}

/** The sentences that explain the rollout phase; empty for a rollout that completed in time and dropped nothing. */
export function explainRollout(facts: RolloutFacts): string[] {
  const { strategy } = facts;
  const slow = facts.end === "complete" && facts.budgetMs !== undefined && facts.rolloutMs > facts.budgetMs;
  const dropped = (facts.failedRequests?.failed ?? 0) > 0;
  if (facts.end === "complete" && !slow && !dropped) return [];
  const lines: string[] = [];
  const end = endLine(facts);
  if (end) lines.push(end);
  lines.push(...newPodLines(facts));
  if (strategy.paused) lines.push("the Deployment is paused: its controller does not roll out until it is resumed");
  if (facts.readyDuringRollout && facts.readyDuringRollout.min < strategy.replicas) {
    const cause =
      strategy.type === "Recreate"
        ? "strategy Recreate stops every old pod first"
        : `maxUnavailable ${strategy.maxUnavailableSpec} lets the controller take ${plural(strategy.maxUnavailable, "old pod")} out of service before new ones are Ready`;
    lines.push(`ready pods fell to ${facts.readyDuringRollout.min} of ${strategy.replicas} during the rollout: ${cause}`);
  }
  if (slow || facts.end === "gave-up") lines.push(paceLine(strategy));
  if (strategy.minReadySeconds > 0 && facts.end !== "complete") lines.push(`minReadySeconds ${strategy.minReadySeconds}: a new pod counts as available only after being Ready that long`);
  if (facts.withoutReadinessProbe.length > 0) {
    lines.push(
      `no readiness probe on ${facts.withoutReadinessProbe.join(", ")}: Kubernetes counts such a pod Ready as soon as it starts, so traffic can reach it before it serves and a broken release is not held back`,
    );
  }
  if (dropped) lines.push(`${facts.failedRequests!.failed} of ${facts.failedRequests!.total} requests failed during the rollout`);
  return lines;
}
