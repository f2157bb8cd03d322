import { describe, expect, it } from "vitest";
import type { V1Deployment } from "@kubernetes/client-node";
import { containersWithoutReadinessProbe, scaledValue, strategyFacts } from "../../../scripts/kinds/rollout/strategy.ts";

const deployment = (spec: Record<string, unknown>): V1Deployment => ({ spec: { selector: {}, template: {}, ...spec } }) as V1Deployment;

describe("what a Deployment's strategy allows during a rollout", () => {
  it("scales percentages of the replicas: surge rounded up, unavailable rounded down", () => {
    expect(scaledValue("25%", 10, true, "25%")).toBe(3);
    expect(scaledValue("25%", 10, false, "25%")).toBe(2);
    expect(scaledValue(2, 10, true, "25%")).toBe(2);
    expect(scaledValue(undefined, 4, false, "25%")).toBe(1);
  });

  it("defaults to 25 % / 25 %, and never lets both be zero (one pod may be unavailable then)", () => {
    const defaults = strategyFacts(deployment({ replicas: 3 }));
    expect([defaults.maxSurge, defaults.maxUnavailable]).toEqual([1, 0]);
    const zero = strategyFacts(deployment({ replicas: 3, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: "10%" } } }));
    expect([zero.maxSurge, zero.maxUnavailable]).toEqual([0, 1]);
  });

  it("treats Recreate as every pod unavailable at once, and reads the deadline, minReadySeconds and pause", () => {
    const facts = strategyFacts(deployment({ replicas: 4, strategy: { type: "Recreate" }, minReadySeconds: 3, progressDeadlineSeconds: 5, paused: true }));
    expect(facts).toMatchObject({ type: "Recreate", maxSurge: 0, maxUnavailable: 4, minReadySeconds: 3, progressDeadlineSeconds: 5, paused: true });
  });

  it("names the containers that have no readiness probe", () => {
    const template = { spec: { containers: [{ name: "app", readinessProbe: { httpGet: { path: "/", port: 80 } } }, { name: "sidecar" }] } };
    expect(containersWithoutReadinessProbe(template as never)).toEqual(["sidecar"]);
  });
});
