import { describe, expect, it } from "vitest";
import { explainRollout, rolloutWaves, type RolloutFacts } from "../../../scripts/kinds/rollout/explain.ts";
import type { StrategyFacts } from "../../../scripts/kinds/rollout/strategy.ts";

const rolling: StrategyFacts = { type: "RollingUpdate", replicas: 3, maxSurge: 1, maxUnavailable: 1, maxSurgeSpec: "1", maxUnavailableSpec: "1", minReadySeconds: 0, progressDeadlineSeconds: 5, paused: false };

function facts(overrides: Partial<RolloutFacts>): RolloutFacts {
  return { strategy: rolling, withoutReadinessProbe: [], end: "complete", endDetail: "", rolloutMs: 2000, budgetMs: 30_000, giveUpMs: 90_000, newPods: [], endMs: 10_000, readyDuringRollout: { min: 3, max: 4 }, ...overrides };
}

describe("explaining a rollout", () => {
  it("says nothing about a rollout that completed in time without failed requests", () => {
    expect(explainRollout(facts({}))).toEqual([]);
  });

  it("explains a stuck rollout from the progress deadline, the new pods and the capacity maxUnavailable gave away", () => {
    const lines = explainRollout(
      facts({
        end: "deadline-exceeded",
        rolloutMs: 5800,
        newPods: [
          { name: "p1", hash: "b", phase: "Running", ready: false, runningUnreadySinceMs: 4500, reason: "not Ready (ContainersNotReady)", deleted: false },
          { name: "p2", hash: "b", phase: "Running", ready: false, runningUnreadySinceMs: 4600, reason: "not Ready (ContainersNotReady)", deleted: false },
        ],
        readyDuringRollout: { min: 2, max: 3 },
      }),
    );
    expect(lines).toEqual([
      "the Deployment reported ProgressDeadlineExceeded after 5.8 s: no new pod became available within progressDeadlineSeconds (5 s)",
      "2 new pods Running: not Ready (ContainersNotReady) for 5.5 s",
      "ready pods fell to 2 of 3 during the rollout: maxUnavailable 1 lets the controller take 1 old pod out of service before new ones are Ready",
    ]);
  });

  it("explains a slow rollout by its pace, minReadySeconds included", () => {
    const slow = explainRollout(facts({ strategy: { ...rolling, replicas: 10, maxSurge: 1, maxUnavailable: 0, maxUnavailableSpec: "0", minReadySeconds: 4 }, rolloutMs: 45_000, readyDuringRollout: { min: 10, max: 11 } }));
    expect(slow[0]).toBe("the rollout completed in 45.0 s, over its budget of 30.0 s");
    expect(slow[1]).toBe("maxSurge 1 (1) and maxUnavailable 0 (0) with 10 replicas: at most 1 pods are replaced at a time, so about 10 waves whose new pods must become Ready and then stay Ready for minReadySeconds (4 s) before the next");
  });

  it("names containers without a readiness probe and failed requests when requests dropped", () => {
    const lines = explainRollout(facts({ withoutReadinessProbe: ["app"], failedRequests: { failed: 7, total: 100 } }));
    expect(lines).toContain("no readiness probe on app: Kubernetes counts such a pod Ready as soon as it starts, so traffic can reach it before it serves and a broken release is not held back");
    expect(lines).toContain("7 of 100 requests failed during the rollout");
  });

  it("blames Recreate for the outage and a long progress deadline for a late verdict", () => {
    const recreate = explainRollout(facts({ strategy: { ...rolling, type: "Recreate", maxSurge: 0, maxUnavailable: 3 }, end: "gave-up", rolloutMs: 90_000, readyDuringRollout: { min: 0, max: 3 } }));
    expect(recreate).toContain("ready pods fell to 0 of 3 during the rollout: strategy Recreate stops every old pod first");
    const late = explainRollout(facts({ strategy: { ...rolling, progressDeadlineSeconds: 600 }, end: "gave-up", rolloutMs: 90_000 }));
    expect(late[0]).toBe("the rollout neither completed nor failed within 1 min 30 s; its progressDeadlineSeconds (600 s) is longer than that, so the Deployment itself had not yet called it stuck");
  });

  it("counts the waves a rolling update needs", () => {
    expect(rolloutWaves(rolling)).toBe(2);
    expect(rolloutWaves({ ...rolling, replicas: 10, maxSurge: 3, maxUnavailable: 0 })).toBe(4);
    expect(rolloutWaves({ ...rolling, type: "Recreate" })).toBe(1);
  });
});
