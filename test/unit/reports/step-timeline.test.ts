import { describe, expect, it } from "vitest";
import { renderJunit } from "../../../reports/junit.ts";
import { renderMarkdown } from "../../../reports/markdown.ts";
import { extraCharts } from "../../../reports/html/render-report.ts";
import { withStepPhases } from "../../../reports/html/report-input.ts";
import type { RunSummary, StepResult } from "../../../reports/summary-schema.ts";

const step: StepResult = {
  name: "pod-kill-demo",
  kind: "chaos",
  startedAt: "2026-12-01T05:00:00.000Z",
  finishedAt: "2026-12-01T05:00:30.000Z",
  durationMs: 30_000,
  verdict: "fail",
  checks: [
    { name: "fault took effect", kind: "injection", observed: null, limit: null, unit: "s", verdict: "fail", reason: "fault never took effect within 10 s" },
    { name: "ready replicas >= 3", kind: "hypothesis", observed: 3, limit: 3, unit: "replicas", verdict: "pass", reason: "3 ready" },
  ],
  phases: [
    { name: "before", kind: "before", startedAt: "2026-12-01T05:00:00.000Z", endedAt: "2026-12-01T05:00:10.000Z" },
    { name: "fault:kill", kind: "fault", startedAt: "2026-12-01T05:00:10.000Z", endedAt: "2026-12-01T05:00:20.000Z" },
    { name: "after", kind: "after", startedAt: "2026-12-01T05:00:20.000Z", endedAt: "2026-12-01T05:00:30.000Z" },
  ],
  timeline: [{ at: "2026-12-01T05:00:10.000Z", event: "fault-injected", detail: "PodChaos bulwark-demo/kill" }],
  series: [
    { name: "ready replicas", unit: "replicas", points: [[Date.parse("2026-12-01T05:00:00Z"), 3], [Date.parse("2026-12-01T05:00:12Z"), 2]] },
    { name: "desired replicas", unit: "replicas", points: [[Date.parse("2026-12-01T05:00:05Z"), 3]] },
  ],
  artifacts: {},
};

const summary: RunSummary = {
  schemaVersion: 1,
  runId: "r1",
  kind: "gate",
  name: "release",
  startedAt: step.startedAt,
  finishedAt: step.finishedAt,
  durationMs: 30_000,
  gitCommit: null,
  environment: "local",
  target: "demo",
  tool: { name: "bulwark", version: "0.1.0" },
  engineVersion: null,
  verdict: "fail",
  exitCode: 1,
  steps: [step],
} as RunSummary;

describe("phases, timeline and watched series of a step in the reports", () => {
  it("shades only fault, rollout, rollback and recovery windows, once each, on their own step", () => {
    const fromFile = [{ name: "fault:kill", kind: "fault" as const, start: "2026-12-01T05:00:10.000Z", end: "2026-12-01T05:00:20.000Z", step: "pod-kill-demo" }];
    expect(withStepPhases([], summary)).toEqual([{ name: "fault:kill", kind: "fault", start: "2026-12-01T05:00:10.000Z", end: "2026-12-01T05:00:20.000Z", step: "pod-kill-demo" }]);
    expect(withStepPhases(fromFile, summary)).toHaveLength(1);
  });

  it("aligns watched series of one unit on the union of their times, each value holding until the next", () => {
    const [chart] = extraCharts(step);
    expect(chart?.unit).toBe("replicas");
    expect(chart?.time).toEqual([Date.parse("2026-12-01T05:00:00Z") / 1000, Date.parse("2026-12-01T05:00:05Z") / 1000, Date.parse("2026-12-01T05:00:12Z") / 1000]);
    expect(chart?.series).toEqual([
      { name: "ready replicas", values: [3, 3, 2] },
      { name: "desired replicas", values: [null, 3, 3] },
    ]);
  });

  it("lists phases and the timeline in summary.md and names the failure type in junit.xml", () => {
    const markdown = renderMarkdown(summary);
    expect(markdown).toContain("| fault:kill | fault | 05:00:10.000 | 05:00:20.000 | 10.0 s |");
    expect(markdown).toContain("| 05:00:10.000 | +10.0 s | fault-injected | PodChaos bulwark-demo/kill |");
    expect(markdown).toContain("| fault took effect | ❌ fail | – | – | fault never took effect within 10 s |");
    const junit = renderJunit(summary);
    expect(junit).toContain('<failure type="FaultNotInjected" message="fault never took effect within 10 s"');
    expect(junit).toMatch(/<testcase classname="pod-kill-demo" name="ready replicas &gt;= 3"\/>/);
  });
});
