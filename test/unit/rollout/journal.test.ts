import { describe, expect, it } from "vitest";
import type { V1Pod, V1ReplicaSet } from "@kubernetes/client-node";
import { podReason, RolloutJournal } from "../../../scripts/kinds/rollout/journal.ts";

const replicaSet = (hash: string, desired: number, ready: number): V1ReplicaSet => ({
  metadata: { name: `web-${hash}`, labels: { "pod-template-hash": hash } },
  spec: { replicas: desired, selector: {} },
  status: { replicas: desired, readyReplicas: ready, availableReplicas: ready },
});

const pod = (name: string, hash: string, phase: string, ready: boolean, extra: Partial<V1Pod["status"]> = {}): V1Pod => ({
  metadata: { name, labels: { "pod-template-hash": hash } },
  status: { phase, conditions: [{ type: "Ready", status: ready ? "True" : "False", reason: ready ? undefined : "ContainersNotReady" }], ...extra },
});

/** A rolling update of 3 replicas, one pod at a time: the truth the series must show. */
function rolledJournal(): RolloutJournal {
  const journal = new RolloutJournal("old1");
  journal.observeReplicaSet(0, replicaSet("old1", 3, 3), false);
  journal.setChangedHash(100, "new2");
  const steps: [number, number, number, number][] = [
    // time, old ready, new desired, new ready
    [200, 3, 1, 0],
    [1200, 3, 1, 1],
    [1300, 2, 2, 1],
    [2300, 2, 2, 2],
    [2400, 1, 3, 2],
    [3400, 1, 3, 3],
    [3500, 0, 3, 3],
  ];
  for (const [at, oldReady, newDesired, newReady] of steps) {
    journal.observeReplicaSet(at, replicaSet("old1", oldReady, oldReady), false);
    journal.observeReplicaSet(at, replicaSet("new2", newDesired, newReady), false);
  }
  return journal;
}

describe("the rollout journal", () => {
  it("draws the old and the new ReplicaSet's ready replicas crossing, extended to the end", () => {
    const [old, fresh] = rolledJournal().series(5000);
    expect(old!.name).toBe("ready replicas, old ReplicaSet (old1)");
    expect(fresh!.name).toBe("ready replicas, new ReplicaSet (new2)");
    expect(old!.points).toEqual([[0, 3], [1300, 2], [2400, 1], [3500, 0], [5000, 0]]);
    expect(fresh!.points).toEqual([[200, 0], [1200, 1], [2300, 2], [3400, 3], [5000, 3]]);
  });

  it("knows the fewest and most ready pods of the Deployment in a window", () => {
    const journal = rolledJournal();
    expect(journal.readyRange(100, 3500)).toEqual({ min: 3, max: 4 });
    const dropping = new RolloutJournal("a");
    dropping.observeReplicaSet(0, replicaSet("a", 3, 3), false);
    dropping.observeReplicaSet(500, replicaSet("a", 2, 2), false);
    dropping.observeReplicaSet(900, replicaSet("b", 2, 0), false);
    expect(dropping.readyRange(400, 1000)).toEqual({ min: 2, max: 3 });
  });

  it("marks scaling, readiness and condition changes once each, in time order", () => {
    const journal = new RolloutJournal("a");
    journal.observeReplicaSet(10, replicaSet("a", 3, 3), false);
    journal.observeDeployment(20, { status: { conditions: [{ type: "Progressing", status: "True", reason: "NewReplicaSetAvailable" }] } });
    journal.observeDeployment(30, { status: { conditions: [{ type: "Progressing", status: "True", reason: "NewReplicaSetAvailable" }] } });
    journal.observeDeployment(40, { status: { conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: "timed out" }] } });
    journal.observeReplicaSet(50, replicaSet("a", 2, 3), false);
    journal.observeReplicaSet(60, replicaSet("a", 2, 2), false);
    expect(journal.timeline().map((event) => [Date.parse(event.at), event.event, event.detail])).toEqual([
      [10, "replicaset-seen", "old ReplicaSet web-a: desired 3, ready 3"],
      [20, "deployment-condition", "Progressing=True NewReplicaSetAvailable"],
      [40, "deployment-condition", "Progressing=False ProgressDeadlineExceeded: timed out"],
      [50, "replicaset-scaled", "old ReplicaSet web-a: desired 3 -> 2"],
      [60, "replicaset-ready", "old ReplicaSet web-a: ready 3 -> 2 of 2"],
    ]);
  });

  it("keeps since when a new pod runs without being Ready, and forgets it once Ready or deleted", () => {
    const journal = new RolloutJournal("a");
    journal.observePod(100, pod("p1", "b", "Pending", false), false);
    journal.observePod(200, pod("p1", "b", "Running", false), false);
    journal.observePod(900, pod("p1", "b", "Running", false), false);
    expect(journal.podsOf("b")[0]!.runningUnreadySinceMs).toBe(200);
    journal.observePod(1000, pod("p1", "b", "Running", true), false);
    expect(journal.podsOf("b")[0]!.runningUnreadySinceMs).toBeNull();
    journal.observePod(1100, pod("p1", "b", "Running", true), true);
    expect(journal.podsOf("b")).toEqual([]);
  });

  it("says why a pod does not serve: scheduling, waiting containers, readiness", () => {
    expect(podReason({ status: { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/3 nodes" }] } })).toBe("not scheduled (Unschedulable: 0/3 nodes)");
    expect(podReason({ status: { phase: "Pending", containerStatuses: [{ name: "app", image: "x", imageID: "", ready: false, restartCount: 0, state: { waiting: { reason: "ImagePullBackOff" } } }] } })).toBe("container app waiting (ImagePullBackOff)");
    expect(podReason(pod("p", "b", "Running", false))).toBe("not Ready (ContainersNotReady)");
  });
});
