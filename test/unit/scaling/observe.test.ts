// Reading Kubernetes objects as the watch delivers them (plain JSON): replica counts, the HPA's metric
// against its target, a pod's trouble, a Deployment's selector.
import { describe, expect, it } from "vitest";
import { hpaMetric, parseQuantity, podState, replicaState, selectorString } from "../../../scripts/kinds/scaling/observe.ts";

describe("replica counts", () => {
  it("reads the HPA's desired count and the Deployment's, with fields the API leaves out when zero", () => {
    const hpa = { spec: { maxReplicas: 5, metrics: [] }, status: { desiredReplicas: 3, currentReplicas: 1 } };
    const deployment = { spec: { replicas: 3 }, status: {} };
    expect(replicaState(hpa, deployment)).toEqual({ desired: 3, current: 0, ready: 0, specReplicas: 3, minReplicas: 1, maxReplicas: 5, metric: null });
    expect(replicaState(undefined, undefined)).toMatchObject({ desired: null, current: null, ready: 0, specReplicas: null });
  });
});

describe("the HPA's metric", () => {
  it("utilization: the average against the target, in %", () => {
    const hpa = {
      spec: { metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } }] },
      status: { currentMetrics: [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: 160, averageValue: "160m" } } }] },
    };
    expect(hpaMetric(hpa)).toEqual({ name: "cpu utilization", current: 160, target: 50, unit: "%" });
  });

  it("average value of CPU in millicores; unknown current when the HPA has no reading", () => {
    const hpa = { spec: { metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "AverageValue", averageValue: "250m" } } }] }, status: {} };
    expect(hpaMetric(hpa)).toEqual({ name: "cpu average value", current: null, target: 250, unit: "millicores" });
  });

  it("a pods metric by its name", () => {
    const hpa = {
      spec: { metrics: [{ type: "Pods", pods: { metric: { name: "requests_per_second" }, target: { type: "AverageValue", averageValue: "10" } } }] },
      status: { currentMetrics: [{ type: "Pods", pods: { metric: { name: "requests_per_second" }, current: { averageValue: "12500m" } } }] },
    };
    expect(hpaMetric(hpa)).toEqual({ name: "requests_per_second average value", current: 12.5, target: 10, unit: "units" });
  });

  it("parses quantities", () => {
    expect([parseQuantity("250m"), parseQuantity("2"), parseQuantity("64Mi"), parseQuantity("1.5k"), parseQuantity("x")]).toEqual([0.25, 2, 64 * 1024 * 1024, 1500, null]);
  });
});

describe("a pod's trouble", () => {
  it("unschedulable, from PodScheduled=False", () => {
    const pod = { metadata: { name: "api-c" }, status: { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/3 nodes are available: 3 Insufficient cpu." }] } };
    expect(podState(pod)).toEqual({ name: "api-c", phase: "Pending", ready: false, problem: "Unschedulable", problemMessage: "0/3 nodes are available: 3 Insufficient cpu.", deleted: false });
  });

  it("image errors from a waiting container; ContainerCreating is no trouble", () => {
    const waiting = (reason: string) => ({ metadata: { name: "api-d" }, status: { phase: "Pending", containerStatuses: [{ state: { waiting: { reason, message: "m" } } }] } });
    expect(podState(waiting("ImagePullBackOff")).problem).toBe("ImagePullBackOff");
    expect(podState(waiting("ErrImagePull")).problem).toBe("ErrImagePull");
    expect(podState(waiting("ContainerCreating")).problem).toBeNull();
  });

  it("Ready only when Running with Ready=True and not terminating", () => {
    const running = { metadata: { name: "a" }, status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] } };
    expect(podState(running).ready).toBe(true);
    expect(podState({ ...running, metadata: { name: "a", deletionTimestamp: "2026-01-01T00:00:00Z" } })).toMatchObject({ ready: false, phase: "Terminating" });
  });
});

describe("a Deployment's selector", () => {
  it("as a label selector string", () => {
    const deployment = { spec: { selector: { matchLabels: { app: "api", tier: "web" }, matchExpressions: [{ key: "track", operator: "In", values: ["stable", "canary"] }, { key: "legacy", operator: "DoesNotExist" }] } } };
    expect(selectorString(deployment)).toBe("app=api,tier=web,track in (stable,canary),!legacy");
  });
});
