// A scaling check's findings in the shapes the reports know: checks (kind "scaling", one per
// expectation), the replica and metric series, the timeline's events, and replicas.json's entry.
import type { Check, ExtraSeries, TimelineEvent } from "../../core/step-result.ts";
import { isoTime } from "../../core/clock.ts";
import { explainOutcome, isTroubling } from "./explain.ts";
import { samplesDuring, type ExpectationOutcome } from "./expectations.ts";
import { currentOf, desiredOf, type ReplicaSample, type ScalingTimeline } from "./timeline.ts";

export interface ObservationWindow {
  /** When the watcher had its first state. */
  startMs: number;
  loadStartMs: number;
  loadEndMs: number;
  /** When the watcher stopped. */
  endMs: number;
}

export function scalingChecks(outcomes: readonly ExpectationOutcome[], timeline: ScalingTimeline, window: ObservationWindow): Check[] {
  return outcomes.map((outcome) => ({
    name: outcome.name,
    kind: "scaling",
    observed: outcome.observed,
    limit: outcome.limit,
    unit: outcome.unit,
    verdict: outcome.verdict,
    reason: explainOutcome(outcome, timeline, window),
  }));
}

const within = (sample: { atMs: number }, window: ObservationWindow) => sample.atMs >= window.startMs && sample.atMs <= window.endMs;

/** Step lines: each value from its instant until the next, plus the last value at the observation's end. */
function stepSeries(name: string, unit: string, samples: readonly ReplicaSample[], value: (sample: ReplicaSample) => number | null, window: ObservationWindow): ExtraSeries {
  const points: [number, number | null][] = [];
  for (const sample of samplesDuring(samples, window.startMs, window.endMs)) {
    const next = value(sample);
    if (points.length > 0 && points[points.length - 1]![1] === next) continue;
    points.push([sample.atMs, next]);
  }
  const last = points[points.length - 1];
  if (last && last[0] < window.endMs) points.push([window.endMs, last[1]]);
  return { name, unit, points };
}

export function scalingSeries(timeline: ScalingTimeline, window: ObservationWindow, simulatedCpu: readonly [number, number][] | null): ExtraSeries[] {
  const { samples } = timeline;
  const series = [
    stepSeries("desired replicas", "replicas", samples, desiredOf, window),
    stepSeries("current replicas", "replicas", samples, currentOf, window),
    stepSeries("ready replicas", "replicas", samples, (sample) => sample.ready, window),
  ];
  const metric = samples.find((sample) => sample.metric)?.metric;
  if (metric) {
    series.push(stepSeries(`${metric.name} (current)`, metric.unit, samples, (sample) => sample.metric?.current ?? null, window));
    series.push(stepSeries(`${metric.name} (target)`, metric.unit, samples, (sample) => sample.metric?.target ?? null, window));
  }
  if (simulatedCpu && simulatedCpu.length > 0) {
    series.push({ name: "simulated CPU per Ready pod (usage bridge)", unit: "millicores", points: simulatedCpu.filter(([atMs]) => atMs >= window.startMs && atMs <= window.endMs).map(([atMs, value]) => [atMs, value]) });
  }
  return series;
}

/** Events worth reading in order: replica changes, HPA conditions, warnings, pod trouble, the load and the verdicts. */
export function scalingTimelineEvents(
  timeline: ScalingTimeline,
  window: ObservationWindow,
  outcomes: readonly ExpectationOutcome[],
  extra: readonly { atMs: number; event: string; detail: string }[],
  limit = 300,
): TimelineEvent[] {
  const events: { atMs: number; event: string; detail: string }[] = [
    { atMs: window.startMs, event: "watch-started", detail: "HPA, Deployment, pods and events watched" },
    { atMs: window.loadStartMs, event: "load-started", detail: "" },
    { atMs: window.loadEndMs, event: "load-ended", detail: "" },
    ...extra,
  ];
  let previous: ReplicaSample | undefined;
  for (const sample of timeline.samples) {
    if (within(sample, window) && previous) {
      const changes: string[] = [];
      const describe = (label: string, before: number | null, after: number | null) => {
        if (before !== after) changes.push(`${label} ${before ?? "?"} -> ${after ?? "?"}`);
      };
      describe("desired", desiredOf(previous), desiredOf(sample));
      describe("current", currentOf(previous), currentOf(sample));
      describe("ready", previous.ready, sample.ready);
      if (changes.length > 0) {
        const metric = sample.metric && sample.metric.current !== null ? ` (${sample.metric.name} ${sample.metric.current}/${sample.metric.target ?? "?"} ${sample.metric.unit})` : "";
        events.push({ atMs: sample.atMs, event: "replicas", detail: `${changes.join(", ")}${metric}` });
      }
    }
    previous = sample;
  }
  for (const condition of timeline.conditions) {
    if (!within(condition, window)) continue;
    events.push({ atMs: condition.atMs, event: isTroubling(condition) ? "hpa-condition-trouble" : "hpa-condition", detail: `${condition.type}=${condition.status}, ${condition.reason}${condition.message ? `: ${condition.message}` : ""}` });
  }
  for (const event of timeline.events) {
    // Routine events of pods and ReplicaSets (Scheduled, SuccessfulCreate...) would drown the rest.
    const routine = event.type !== "Warning" && (event.object.startsWith("Pod/") || event.object.startsWith("ReplicaSet/"));
    if (!within(event, window) || routine) continue;
    events.push({ atMs: event.atMs, event: event.type === "Warning" ? "k8s-warning" : "k8s-event", detail: `${event.reason} on ${event.object}: ${event.message}` });
  }
  for (const pod of timeline.pods) {
    if (!within(pod, window) || !pod.problem) continue;
    events.push({ atMs: pod.atMs, event: "pod-trouble", detail: `${pod.name} ${pod.phase} (${pod.problem})${pod.problemMessage ? `: ${pod.problemMessage}` : ""}` });
  }
  for (const outcome of outcomes) {
    events.push({ atMs: outcome.atMs, event: outcome.verdict === "pass" ? "expectation-met" : outcome.verdict === "fail" ? "expectation-failed" : "expectation-no-data", detail: `${outcome.name}: ${outcome.finding}` });
  }
  events.sort((a, b) => a.atMs - b.atMs);
  const kept = events.length > limit ? [...events.slice(0, limit - 1), { atMs: events[events.length - 1]!.atMs, event: "truncated", detail: `${events.length - limit + 1} more events not shown (replicas.json has every sample)` }] : events;
  return kept.map(({ atMs, event, detail }) => ({ at: isoTime(atMs), event, detail }));
}

/** One entry of replicas.json (reports/html/report-input.ts reads it): desired and ready replicas over time. */
export interface ReplicaTimelineEntry {
  target: string;
  samples: { time: string; desired: number; ready: number }[];
  minReplicas?: number;
  maxReplicas?: number;
}

export function replicaTimelineEntry(target: string, timeline: ScalingTimeline, window: ObservationWindow): ReplicaTimelineEntry {
  const samples = samplesDuring(timeline.samples, window.startMs, window.endMs);
  const last = timeline.samples[timeline.samples.length - 1];
  return {
    target,
    samples: samples.map((sample) => ({ time: isoTime(sample.atMs), desired: desiredOf(sample) ?? 0, ready: sample.ready })),
    ...(last?.minReplicas != null ? { minReplicas: last.minReplicas } : {}),
    ...(last?.maxReplicas != null ? { maxReplicas: last.maxReplicas } : {}),
  };
}
