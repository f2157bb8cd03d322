// The expectations of a scaling check judged on a recorded timeline: pure functions of the samples, the
// load's window and the instant the observation ended (an injected clock's reading), so that deadlines
// and flapping are unit-tested on recorded timelines without a cluster.
import { formatMs } from "../../core/format.ts";
import type { ExpectationLimits } from "./definition.ts";
import { currentOf, desiredOf, latestAt, type ReplicaSample } from "./timeline.ts";

/** The load's window and how far the observation went, all Unix ms. */
export interface JudgeWindow {
  loadStartMs: number;
  loadEndMs: number;
  /** When the watcher stopped recording: nothing later is known. */
  observedUntilMs: number;
}

export type ExpectationName = "scaleOut" | "neverAbove" | "maxDirectionChanges" | "scaleIn";

export interface ExpectationOutcome {
  expectation: ExpectationName;
  /** Check name, e.g. "scale-out: >= 4 ready replicas within 30 s of load start". */
  name: string;
  observed: number | null;
  limit: number;
  unit: "replicas" | "count";
  verdict: "pass" | "fail" | "no-data";
  /** What was seen, e.g. "4 ready at +12.3 s"; a failure's explanation is added by explain.ts. */
  finding: string;
  /** The instant the finding is about: when it was met, when it was violated, or the deadline. */
  atMs: number;
}

const plus = (ms: number): string => `+${formatMs(Math.max(0, ms))}`;

/** The samples that describe [fromMs, toMs]: the one in effect at fromMs (if any), then every later one up to toMs. */
export function samplesDuring(samples: readonly ReplicaSample[], fromMs: number, toMs: number): ReplicaSample[] {
  const first = latestAt(samples, fromMs);
  const later = samples.filter((sample) => sample.atMs > fromMs && sample.atMs <= toMs);
  return first ? [{ ...first, atMs: fromMs }, ...later] : later;
}

/** The first sample in [fromMs, toMs] meeting `met` (the one in effect at fromMs counts at fromMs). */
function firstMet(samples: readonly ReplicaSample[], fromMs: number, toMs: number, met: (sample: ReplicaSample) => boolean): ReplicaSample | undefined {
  return samplesDuring(samples, fromMs, toMs).find(met);
}

/** Reach at least N ready replicas within T of the load's start (a sample exactly at the deadline counts). */
export function judgeScaleOut(samples: readonly ReplicaSample[], limit: { readyReplicas: number; withinMs: number }, window: JudgeWindow): ExpectationOutcome {
  const deadlineMs = window.loadStartMs + limit.withinMs;
  const name = `scale-out: >= ${limit.readyReplicas} ready replicas within ${formatMs(limit.withinMs)} of load start`;
  const base = { expectation: "scaleOut" as const, name, limit: limit.readyReplicas, unit: "replicas" as const };
  const reached = firstMet(samples, window.loadStartMs, Math.min(deadlineMs, window.observedUntilMs), (sample) => sample.ready >= limit.readyReplicas);
  if (reached) return { ...base, observed: reached.ready, verdict: "pass", finding: `${reached.ready} ready at ${plus(reached.atMs - window.loadStartMs)}`, atMs: reached.atMs };
  const seen = samplesDuring(samples, window.loadStartMs, Math.min(deadlineMs, window.observedUntilMs));
  const best = seen.length === 0 ? null : Math.max(...seen.map((sample) => sample.ready));
  if (window.observedUntilMs < deadlineMs) {
    return { ...base, observed: best, verdict: "no-data", finding: `the observation ended at ${plus(window.observedUntilMs - window.loadStartMs)}, before the ${formatMs(limit.withinMs)} deadline`, atMs: window.observedUntilMs };
  }
  return { ...base, observed: best, verdict: "fail", finding: `reached ${best ?? 0} of ${limit.readyReplicas} ready replicas by ${formatMs(limit.withinMs)}`, atMs: deadlineMs };
}

/** Neither the desired nor the current replica count exceeds the maximum, from the load's start to the observation's end. */
export function judgeNeverAbove(samples: readonly ReplicaSample[], maximum: number, window: JudgeWindow): ExpectationOutcome {
  const seen = samplesDuring(samples, window.loadStartMs, window.observedUntilMs);
  const countOf = (sample: ReplicaSample) => Math.max(desiredOf(sample) ?? 0, currentOf(sample) ?? 0);
  const base = { expectation: "neverAbove" as const, name: `never above ${maximum} replicas`, limit: maximum, unit: "replicas" as const };
  if (seen.length === 0) return { ...base, observed: null, verdict: "no-data", finding: "no replica counts were recorded", atMs: window.observedUntilMs };
  const peak = Math.max(...seen.map(countOf));
  const over = seen.find((sample) => countOf(sample) > maximum);
  if (over) return { ...base, observed: peak, verdict: "fail", finding: `${countOf(over)} replicas at ${plus(over.atMs - window.loadStartMs)} (peak ${peak})`, atMs: over.atMs };
  const peakAt = seen.find((sample) => countOf(sample) === peak)!;
  return { ...base, observed: peak, verdict: "pass", finding: `peak ${peak} at ${plus(peakAt.atMs - window.loadStartMs)}`, atMs: peakAt.atMs };
}

/** The desired replica counts in order, without repeats: 1, 3, 2, 3. */
export function desiredPath(samples: readonly ReplicaSample[]): number[] {
  const path: number[] = [];
  for (const sample of samples) {
    const desired = desiredOf(sample);
    if (desired !== null && path[path.length - 1] !== desired) path.push(desired);
  }
  return path;
}

/** Changes of direction along a path of counts: 1→3→2→3 has two (up, down, up). */
export function directionChanges(path: readonly number[]): number {
  let changes = 0;
  let direction = 0;
  for (let index = 1; index < path.length; index++) {
    const step = Math.sign(path[index]! - path[index - 1]!);
    if (step === 0) continue;
    if (direction !== 0 && step !== direction) changes++;
    direction = step;
  }
  return changes;
}

/** No flapping: at most K changes of direction of the desired replicas while the load runs. */
export function judgeFlapping(samples: readonly ReplicaSample[], maximum: number, window: JudgeWindow): ExpectationOutcome {
  const endMs = Math.min(window.loadEndMs, window.observedUntilMs);
  const path = desiredPath(samplesDuring(samples, window.loadStartMs, endMs));
  const changes = directionChanges(path);
  const base = { expectation: "maxDirectionChanges" as const, name: `no flapping: <= ${maximum} direction changes of desired replicas under load`, limit: maximum, unit: "count" as const };
  const finding = `${changes} direction change${changes === 1 ? "" : "s"} (desired ${path.join(" -> ") || "unknown"})`;
  if (changes > maximum) return { ...base, observed: changes, verdict: "fail", finding, atMs: endMs };
  if (window.observedUntilMs < window.loadEndMs) return { ...base, observed: changes, verdict: "no-data", finding: `${finding}; the observation ended before the load did`, atMs: endMs };
  return { ...base, observed: changes, verdict: "pass", finding, atMs: endMs };
}

/** Back to at most M replicas (pods not yet terminated) within T2 of the load's end. */
export function judgeScaleIn(samples: readonly ReplicaSample[], limit: { replicas: number; withinMs: number }, window: JudgeWindow): ExpectationOutcome {
  const deadlineMs = window.loadEndMs + limit.withinMs;
  const base = { expectation: "scaleIn" as const, name: `scale-in: <= ${limit.replicas} replicas within ${formatMs(limit.withinMs)} of load end`, limit: limit.replicas, unit: "replicas" as const };
  const met = (sample: ReplicaSample) => {
    const current = currentOf(sample);
    return current !== null && current <= limit.replicas;
  };
  const reached = firstMet(samples, window.loadEndMs, Math.min(deadlineMs, window.observedUntilMs), met);
  if (reached) return { ...base, observed: currentOf(reached), verdict: "pass", finding: `${currentOf(reached)} replicas at ${plus(reached.atMs - window.loadEndMs)} after the load`, atMs: reached.atMs };
  const last = latestAt(samples, Math.min(deadlineMs, window.observedUntilMs));
  const observed = last ? currentOf(last) : null;
  if (window.observedUntilMs < deadlineMs) {
    return { ...base, observed, verdict: "no-data", finding: `the observation ended ${formatMs(Math.max(0, window.observedUntilMs - window.loadEndMs))} after the load, before the ${formatMs(limit.withinMs)} deadline`, atMs: window.observedUntilMs };
  }
  return { ...base, observed, verdict: "fail", finding: `still ${observed ?? "an unknown number of"} replicas ${formatMs(limit.withinMs)} after the load stopped`, atMs: deadlineMs };
}

/** Every configured expectation, in a fixed order. */
export function judgeExpectations(samples: readonly ReplicaSample[], limits: ExpectationLimits, window: JudgeWindow): ExpectationOutcome[] {
  return [
    ...(limits.scaleOut ? [judgeScaleOut(samples, limits.scaleOut, window)] : []),
    ...(limits.neverAbove !== undefined ? [judgeNeverAbove(samples, limits.neverAbove, window)] : []),
    ...(limits.maxDirectionChanges !== undefined ? [judgeFlapping(samples, limits.maxDirectionChanges, window)] : []),
    ...(limits.scaleIn ? [judgeScaleIn(samples, limits.scaleIn, window)] : []),
  ];
}

/**
 * When the observation may stop: never before the load has ended; then at once, unless a scale-in is
 * expected, in which case when it is met or its deadline has passed.
 */
export function observationComplete(samples: readonly ReplicaSample[], limits: ExpectationLimits, load: { startMs: number; endMs: number }, nowMs: number): boolean {
  if (nowMs < load.endMs) return false;
  if (!limits.scaleIn) return true;
  if (nowMs >= load.endMs + limits.scaleIn.withinMs) return true;
  return judgeScaleIn(samples, limits.scaleIn, { loadStartMs: load.startMs, loadEndMs: load.endMs, observedUntilMs: nowMs }).verdict === "pass";
}
