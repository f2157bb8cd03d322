// A failed expectation is explained from what the cluster said: the HPA's conditions, recent warnings,
// and the pods (or missing pods) behind desired replicas that are not Ready.
import { describe, expect, it } from "vitest";
import { clusterReasons, explainOutcome, troublingConditions } from "../../../scripts/kinds/scaling/explain.ts";
import { judgeScaleIn, judgeScaleOut } from "../../../scripts/kinds/scaling/expectations.ts";
import { emptyTimeline, type ReplicaSample, type ScalingTimeline } from "../../../scripts/kinds/scaling/timeline.ts";

const t0 = 1_800_000_000_000;
const window = { loadStartMs: t0, loadEndMs: t0 + 30_000 };

function sample(offsetMs: number, desired: number, ready: number, extra: Partial<ReplicaSample> = {}): ReplicaSample {
  return { atMs: t0 + offsetMs, desired, current: Math.max(desired, ready), ready, specReplicas: desired, minReplicas: 1, maxReplicas: 10, metric: { name: "cpu utilization", current: 160, target: 50, unit: "%" }, ...extra };
}

function timelineWith(parts: Partial<ScalingTimeline>): ScalingTimeline {
  return { ...emptyTimeline(), ...parts };
}

const condition = (offsetMs: number, type: string, status: string, reason: string, message = "") => ({ atMs: t0 + offsetMs, type, status, reason, message });

describe("explaining a scale-out that fell short", () => {
  it("names ScalingLimited with the HPA's maxReplicas", () => {
    const timeline = timelineWith({
      samples: [sample(-100, 1, 1, { maxReplicas: 3 }), sample(8000, 3, 3, { maxReplicas: 3 })],
      conditions: [condition(-100, "AbleToScale", "True", "ReadyForNewScale"), condition(-100, "ScalingLimited", "False", "DesiredWithinRange"), condition(8000, "ScalingLimited", "True", "TooManyReplicas", "the desired replica count is more than the maximum replica count")],
    });
    const outcome = judgeScaleOut(timeline.samples, { readyReplicas: 4, withinMs: 20_000 }, { ...window, observedUntilMs: t0 + 40_000 });
    expect(explainOutcome(outcome, timeline, window)).toBe("reached 3 of 4 ready replicas by 20.0 s: the HPA's maxReplicas 3 is below the 4 expected; ScalingLimited=True, TooManyReplicas (maxReplicas 3)");
  });

  it("names ScalingLimited also when it cleared just before the deadline (a new pod's missing metric counts as 0 %)", () => {
    const timeline = timelineWith({
      samples: [sample(-100, 1, 1, { maxReplicas: 2 }), sample(17_000, 2, 2, { maxReplicas: 2 })],
      conditions: [condition(17_000, "ScalingLimited", "True", "TooManyReplicas", "the desired replica count is more than the maximum replica count"), condition(27_400, "ScalingLimited", "False", "DesiredWithinRange")],
    });
    const outcome = judgeScaleOut(timeline.samples, { readyReplicas: 3, withinMs: 30_000 }, { ...window, observedUntilMs: t0 + 30_000 });
    expect(explainOutcome(outcome, timeline, window)).toBe("reached 2 of 3 ready replicas by 30.0 s: the HPA's maxReplicas 2 is below the 3 expected; ScalingLimited=True, TooManyReplicas (maxReplicas 2) until +27.4 s");
  });

  it("says metrics were unavailable when ScalingActive is False with a metric reason, and quotes the warning once", () => {
    const message = "the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container app of Pod api-1";
    const timeline = timelineWith({
      samples: [sample(-100, 1, 1, { metric: { name: "cpu utilization", current: null, target: 50, unit: "%" } })],
      conditions: [condition(-100, "ScalingActive", "False", "FailedGetResourceMetric", message)],
      events: [
        { atMs: t0 + 5000, type: "Warning", reason: "FailedGetResourceMetric", message: "failed to get cpu utilization: missing request for cpu", object: "HorizontalPodAutoscaler/api", count: 3 },
        { atMs: t0 + 5000, type: "Warning", reason: "FailedComputeMetricsReplicas", message: "invalid metrics (1 invalid out of 1)", object: "HorizontalPodAutoscaler/api", count: 3 },
      ],
    });
    const outcome = judgeScaleOut(timeline.samples, { readyReplicas: 2, withinMs: 10_000 }, { ...window, observedUntilMs: t0 + 30_000 });
    const reason = explainOutcome(outcome, timeline, window);
    expect(reason).toMatch(/^reached 1 of 2 ready replicas by 10\.0 s: metrics unavailable: ScalingActive=False, FailedGetResourceMetric: the HPA was unable/);
    expect(reason).toContain("metrics unavailable: FailedComputeMetricsReplicas on HorizontalPodAutoscaler/api: invalid metrics");
    expect(reason.match(/FailedGetResourceMetric/g)).toHaveLength(1);
  });

  it("explains desired replicas that are not Ready from the pods: FailedScheduling and image errors", () => {
    const pod = (name: string, extra: Partial<ScalingTimeline["pods"][number]>) => ({ atMs: t0 + 6000, name, phase: "Running", ready: true, problem: null, problemMessage: null, deleted: false, ...extra });
    const timeline = timelineWith({
      samples: [sample(-100, 1, 1), sample(6000, 5, 2)],
      pods: [
        pod("api-a", {}),
        pod("api-b", {}),
        pod("api-c", { phase: "Pending", ready: false, problem: "Unschedulable", problemMessage: "0/3 nodes are available: 3 Insufficient cpu." }),
        pod("api-d", { phase: "Pending", ready: false, problem: "Unschedulable", problemMessage: "0/3 nodes are available: 3 Insufficient cpu." }),
        pod("api-e", { phase: "Pending", ready: false, problem: "ImagePullBackOff", problemMessage: 'Back-off pulling image "registry.invalid/api:2"' }),
      ],
    });
    const outcome = judgeScaleOut(timeline.samples, { readyReplicas: 5, withinMs: 20_000 }, { ...window, observedUntilMs: t0 + 40_000 });
    expect(explainOutcome(outcome, timeline, window)).toBe(
      'reached 2 of 5 ready replicas by 20.0 s: desired 5, ready 2: 2 pods Pending (FailedScheduling): 0/3 nodes are available: 3 Insufficient cpu.; 1 pod ImagePullBackOff: Back-off pulling image "registry.invalid/api:2"',
    );
  });

  it("explains pods that were never created from the ReplicaSet's FailedCreate (a quota)", () => {
    const timeline = timelineWith({
      samples: [sample(-100, 1, 1), sample(6000, 4, 2, { current: 2 })],
      pods: ["api-a", "api-b"].map((name) => ({ atMs: t0 + 6000, name, phase: "Running", ready: true, problem: null, problemMessage: null, deleted: false })),
      events: [{ atMs: t0 + 6100, type: "Warning", reason: "FailedCreate", message: 'pods "api-x" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2', object: "ReplicaSet/api-5d8f", count: 4 }],
    });
    const outcome = judgeScaleOut(timeline.samples, { readyReplicas: 4, withinMs: 20_000 }, { ...window, observedUntilMs: t0 + 40_000 });
    expect(explainOutcome(outcome, timeline, window)).toBe("reached 2 of 4 ready replicas by 20.0 s: desired 4, ready 2: 2 pods not created: FailedCreate: pods \"api-x\" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2");
  });

  it("trouble that cleared before the deadline comes last and briefly; its stale metric warnings not at all", () => {
    const timeline = timelineWith({
      samples: [sample(-100, 1, 1), sample(15_000, 4, 2, { current: 2 })],
      conditions: [condition(-100, "ScalingActive", "False", "FailedGetResourceMetric", "no metrics returned from resource metrics API"), condition(12_000, "ScalingActive", "True", "ValidMetricFound")],
      pods: ["api-a", "api-b"].map((name) => ({ atMs: t0 + 15_000, name, phase: "Running", ready: true, problem: null, problemMessage: null, deleted: false })),
      events: [
        { atMs: t0 + 5000, type: "Warning", reason: "FailedGetResourceMetric", message: "no metrics returned", object: "HorizontalPodAutoscaler/api", count: 2 },
        { atMs: t0 + 15_100, type: "Warning", reason: "FailedCreate", message: "exceeded quota: two-pods", object: "ReplicaSet/api-5d8f", count: 1 },
      ],
    });
    const outcome = judgeScaleOut(timeline.samples, { readyReplicas: 3, withinMs: 30_000 }, { ...window, observedUntilMs: t0 + 40_000 });
    expect(explainOutcome(outcome, timeline, window)).toBe(
      "reached 2 of 3 ready replicas by 30.0 s: desired 4, ready 2: 2 pods not created: FailedCreate: exceeded quota: two-pods; ScalingActive=False, FailedGetResourceMetric until +12.0 s",
    );
  });

  it("without any trouble, says what the HPA asked for and why", () => {
    const timeline = timelineWith({ samples: [sample(-100, 1, 1, { metric: { name: "cpu utilization", current: 30, target: 50, unit: "%" } })] });
    expect(clusterReasons(timeline, t0, t0 + 20_000, "more")).toEqual(["the HPA asked for 1: cpu utilization 30 % against a target of 50 %"]);
  });

  it("ignores trouble that ended before the window and warnings from before it", () => {
    const timeline = timelineWith({
      samples: [sample(-100, 1, 1)],
      conditions: [condition(-20_000, "ScalingActive", "False", "FailedGetResourceMetric"), condition(-10_000, "ScalingActive", "True", "ValidMetricFound")],
      events: [{ atMs: t0 - 15_000, type: "Warning", reason: "FailedGetResourceMetric", message: "old", object: "HorizontalPodAutoscaler/api", count: 1 }],
    });
    expect(troublingConditions(timeline, t0, t0 + 20_000)).toEqual([]);
    expect(clusterReasons(timeline, t0, t0 + 20_000, "more")).toEqual(["the HPA asked for 1: cpu utilization 160 % against a target of 50 %"]);
  });
});

describe("explaining a scale-in that did not come", () => {
  it("says the HPA still asked for more, with the metric against its target", () => {
    const timeline = timelineWith({ samples: [sample(-100, 4, 4, { metric: { name: "cpu utilization", current: 70, target: 50, unit: "%" } })] });
    const outcome = judgeScaleIn(timeline.samples, { replicas: 1, withinMs: 20_000 }, { ...window, observedUntilMs: t0 + 60_000 });
    expect(explainOutcome(outcome, timeline, window)).toBe("still 4 replicas 20.0 s after the load stopped: the HPA still asked for 4: cpu utilization 70 % against a target of 50 %");
  });

  it("names AbleToScale=False when the HPA could not change the scale", () => {
    const timeline = timelineWith({
      samples: [sample(-100, 4, 4)],
      conditions: [condition(35_000, "AbleToScale", "False", "FailedUpdateScale", "the HPA controller was unable to update the target scale: deployments.apps \"api\" is forbidden")],
    });
    const outcome = judgeScaleIn(timeline.samples, { replicas: 1, withinMs: 20_000 }, { ...window, observedUntilMs: t0 + 60_000 });
    expect(explainOutcome(outcome, timeline, window)).toContain("AbleToScale=False, FailedUpdateScale: the HPA controller was unable to update the target scale");
  });
});

describe("explaining other failures", () => {
  it("above the maximum: the HPA's own maxReplicas and the metric then", async () => {
    const { judgeNeverAbove, judgeFlapping } = await import("../../../scripts/kinds/scaling/expectations.ts");
    const timeline = timelineWith({ samples: [sample(-100, 1, 1), sample(7000, 6, 6, { metric: { name: "cpu utilization", current: 300, target: 50, unit: "%" } })] });
    const over = judgeNeverAbove(timeline.samples, 4, { ...window, observedUntilMs: t0 + 40_000 });
    expect(explainOutcome(over, timeline, window)).toBe("6 replicas at +7.0 s (peak 6): the HPA's maxReplicas 10 allows more than 4; cpu utilization 300 % against a target of 50 %");
    const flapping = timelineWith({
      samples: [sample(-100, 1, 1, { metric: { name: "cpu utilization", current: 40, target: 50, unit: "%" } }), sample(5000, 3, 3, { metric: { name: "cpu utilization", current: 90, target: 50, unit: "%" } }), sample(10_000, 2, 2, { metric: { name: "cpu utilization", current: 20, target: 50, unit: "%" } })],
    });
    const flapped = judgeFlapping(flapping.samples, 0, { ...window, observedUntilMs: t0 + 40_000 });
    expect(explainOutcome(flapped, flapping, window)).toBe("1 direction change (desired 1 -> 3 -> 2): cpu utilization ranged 20-90 % against a target of 50 % over 30.0 s");
  });
});
