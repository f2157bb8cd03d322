// A scaling check's findings in report shapes: replicas.json as report.html reads it, series that start
// with the state in effect when the watch began, checks of kind "scaling", and config cross-references.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { replicasFileSchema } from "../../../reports/html/report-input.ts";
import { stepSchema } from "../../../scripts/core/step-result.ts";
import { expectationLimits, scalingCheckSchema } from "../../../scripts/kinds/scaling/definition.ts";
import { judgeExpectations } from "../../../scripts/kinds/scaling/expectations.ts";
import { scalingKind } from "../../../scripts/kinds/scaling/kind.ts";
import { replicaTimelineEntry, scalingChecks, scalingSeries, scalingTimelineEvents, type ObservationWindow } from "../../../scripts/kinds/scaling/report.ts";
import type { ScalingTimeline } from "../../../scripts/kinds/scaling/timeline.ts";
import { defaultRegistry } from "../../../scripts/registry/registry.ts";
import { withBulwarkDefaults } from "../../../thresholds/config-defaults.ts";

const recorded = JSON.parse(readFileSync(new URL("./fixtures/hpa-demo.scaling-timeline.json", import.meta.url), "utf8")) as { window: ObservationWindow; timeline: ScalingTimeline };
const { window, timeline } = recorded;
const check = scalingCheckSchema.parse({
  workload: { namespace: "bulwark-demo", deployment: "demo-scaling" },
  load: { scenario: "browse-catalog", profile: "scaling" },
  expect: { scaleOut: { readyReplicas: 3, within: "30s" }, scaleIn: { replicas: 1, within: "40s" } },
});
const outcomes = judgeExpectations(timeline.samples, expectationLimits(check.expect), { loadStartMs: window.loadStartMs, loadEndMs: window.loadEndMs, observedUntilMs: window.endMs });

describe("report shapes of a recorded hpa-demo run", () => {
  it("replicas.json's entry is what report.html reads", () => {
    const entry = replicaTimelineEntry("deployment/bulwark-demo/demo-scaling", timeline, window);
    expect(replicasFileSchema.safeParse([entry]).success).toBe(true);
    expect(entry.samples[0]).toEqual({ time: new Date(window.startMs).toISOString(), desired: 1, ready: 1 });
    expect(Math.max(...entry.samples.map((sample) => sample.desired))).toBe(4);
    expect(entry.samples[entry.samples.length - 1]).toMatchObject({ desired: 1, ready: 1 });
  });

  it("series start at the watch's start with the state then in effect and end at the observation's end", () => {
    const series = scalingSeries(timeline, window, [[window.loadStartMs + 2000, 161]]);
    const desired = series.find((one) => one.name === "desired replicas")!;
    expect(desired.points[0]).toEqual([window.startMs, 1]);
    expect(desired.points.map(([, value]) => value)).toEqual([1, 4, 1, 1]);
    expect(desired.points[desired.points.length - 1]![0]).toBe(window.endMs);
    expect(series.map((one) => one.name)).toEqual(["desired replicas", "current replicas", "ready replicas", "cpu utilization (current)", "cpu utilization (target)", "simulated CPU per Ready pod (usage bridge)"]);
  });

  it("one check of kind scaling per expectation, valid in a step result; timeline events in time order", () => {
    const checks = scalingChecks(outcomes, timeline, window);
    expect(checks.map((one) => [one.kind, one.verdict])).toEqual([
      ["scaling", "pass"],
      ["scaling", "pass"],
    ]);
    const events = scalingTimelineEvents(timeline, window, outcomes, []);
    const times = events.map((event) => Date.parse(event.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(events.filter((event) => event.event === "replicas").map((event) => event.detail)).toContain("desired 1 -> 4 (cpu utilization 160/50 %)");
    const step = { name: "hpa-demo", kind: "scale", startedAt: new Date(window.startMs).toISOString(), finishedAt: new Date(window.endMs).toISOString(), durationMs: 1, verdict: "pass", checks, timeline: events, series: scalingSeries(timeline, window, null), artifacts: {} };
    expect(stepSchema.safeParse(step).success).toBe(true);
  });

  it("caps the timeline's events and says how many were left out", () => {
    const events = scalingTimelineEvents(timeline, window, outcomes, [], 5);
    expect(events).toHaveLength(5);
    expect(events[4]).toMatchObject({ event: "truncated" });
  });
});

describe("config cross-references", () => {
  const config = (scalingChecks: unknown, steps: unknown[] = [{ scale: "hpa-demo" }]) => ({
    endpoints: [{ name: "list-items", path: "/api/items" }, { name: "get-item", path: "/api/items/{id}" }],
    suites: { release: { steps } },
    environments: { local: { demo: true, kubernetes: { local: true } } },
    scalingChecks,
  });
  const errorsOf = (raw: unknown) => {
    const result = defaultRegistry.validate(withBulwarkDefaults(raw));
    return "errors" in result ? result.errors : [];
  };
  const valid = { workload: { namespace: "bulwark-demo", deployment: "demo-scaling" }, load: { scenario: "browse-catalog", profile: "smoke" }, expect: { neverAbove: 3 } };

  it("a suite step naming an unknown check, an unknown profile, contradictory expectations: one line each", () => {
    expect(errorsOf(config({ "hpa-demo": valid }, [{ scale: "nope" }]))).toContain("suites.release.steps.0.scale: unknown scaling check 'nope'");
    expect(errorsOf(config({ "hpa-demo": { ...valid, load: { scenario: "browse-catalog", profile: "absent" } } }))).toContain("scalingChecks.hpa-demo.load.profile: unknown profile 'absent'");
    expect(errorsOf(config({ "hpa-demo": { ...valid, expect: { scaleOut: { readyReplicas: 4, within: "30s" }, neverAbove: 3 } } }))).toContain(
      "scalingChecks.hpa-demo.expect.neverAbove: 3 is below scaleOut.readyReplicas 4: both cannot hold",
    );
    expect(errorsOf(config({ "hpa-demo": { ...valid, expect: {} } })).join("\n")).toMatch(/scalingChecks\.hpa-demo\.expect: name at least one expectation/);
    expect(errorsOf(config({ "hpa-demo": valid }))).toEqual([]);
  });

  it("the kind asks only to read HPAs, Deployments, pods and events", () => {
    expect(scalingKind.rbac!.flatMap((rule) => rule.verbs)).toEqual(expect.arrayContaining(["get", "list", "watch"]));
    expect(new Set(scalingKind.rbac!.flatMap((rule) => rule.verbs))).toEqual(new Set(["get", "list", "watch"]));
    expect(scalingKind.rbac!.flatMap((rule) => rule.resources).sort()).toEqual(["deployments", "events", "horizontalpodautoscalers", "pods"]);
  });
});

describe("the step's verdict", () => {
  it("aborted first, then a refused watch or a failed engine, then a failed expectation, then one not judged, then the generator", async () => {
    const { stepVerdict } = await import("../../../scripts/kinds/scaling/run-check.ts");
    const facts = { aborted: false, watchFailed: false, load: "pass" as const, checks: ["pass", "pass"] as const };
    expect(stepVerdict(facts)).toBe("pass");
    expect(stepVerdict({ ...facts, checks: ["pass", "fail"] })).toBe("fail");
    expect(stepVerdict({ ...facts, checks: ["no-data", "pass"] })).toBe("error");
    expect(stepVerdict({ ...facts, load: "invalid" })).toBe("invalid");
    expect(stepVerdict({ ...facts, load: "invalid", checks: ["fail"] })).toBe("fail");
    expect(stepVerdict({ ...facts, watchFailed: true, checks: ["fail"] })).toBe("error");
    expect(stepVerdict({ ...facts, aborted: true, watchFailed: true })).toBe("aborted");
  });
});
