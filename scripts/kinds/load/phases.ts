// Windows of one load (before, during a fault, rollout, recovery, after) judged on their own, with the
// same exact definitions as a whole load step (docs/load-gate.md "Verdicts"): a percentile check counts
// the requests on the wrong side of the limit against the nearest rank, a rate is the exact fraction.
import type { RequestSamples, SampleColumn } from "../../core/request-samples.ts";
import type { Check, Phase } from "../../core/step-result.ts";
import { formatLimit, formatObserved } from "../../core/format.ts";
import { nearestRank, samplesToTellFromMaximum } from "./engine-summary.ts";

/** A phase with its bounds in Unix ms: a request belongs to it when it ended at or after start and before end. */
export interface PhaseWindow {
  name: string;
  kind: Phase["kind"];
  startMs: number;
  endMs: number;
}

/** A mark in a load: a fault (or rollout) window; gaps between marks become before / recovery / after. */
export interface MarkedWindow {
  name: string;
  kind: Extract<Phase["kind"], "fault" | "rollout" | "rollback" | "recovery" | "other">;
  startMs: number;
  endMs: number;
}

/**
 * Cuts a load running from loadStartMs to loadEndMs into phases: "before" up to the first mark, each
 * mark, and "after" from the last mark's end. Marks must not overlap (parallel faults form one mark).
 */
export function cutPhases(loadStartMs: number, loadEndMs: number, marks: readonly MarkedWindow[]): PhaseWindow[] {
  const sorted = [...marks].sort((a, b) => a.startMs - b.startMs);
  const phases: PhaseWindow[] = [];
  let cursor = loadStartMs;
  for (const mark of sorted) {
    if (mark.startMs > cursor) phases.push({ name: phases.length === 0 ? "before" : `between-${phases.length}`, kind: phases.length === 0 ? "before" : "other", startMs: cursor, endMs: mark.startMs });
    phases.push({ ...mark, startMs: Math.max(mark.startMs, cursor), endMs: Math.max(mark.endMs, Math.max(mark.startMs, cursor)) });
    cursor = Math.max(cursor, mark.endMs);
  }
  if (loadEndMs > cursor) phases.push({ name: sorted.length === 0 ? "load" : "after", kind: sorted.length === 0 ? "load" : "after", startMs: cursor, endMs: loadEndMs });
  return phases;
}

export const phaseForReport = (window: PhaseWindow): Phase => ({ name: window.name, kind: window.kind, startedAt: new Date(window.startMs).toISOString(), endedAt: new Date(window.endMs).toISOString() });

/** The requests of one window (optionally of one endpoint): durations sorted ascending, and failure counts. */
export interface PhaseRequests {
  durationsMs: Float64Array;
  requests: number;
  failures: number;
}

function select(column: SampleColumn, window: PhaseWindow, endpointIndex: number | null): number[] {
  const values: number[] = [];
  for (let index = 0; index < column.count; index++) {
    const time = column.timeMs[index]!;
    if (time < window.startMs || time >= window.endMs) continue;
    if (endpointIndex !== null && column.endpointIndex[index] !== endpointIndex) continue;
    values.push(column.value[index]!);
  }
  return values;
}

export function phaseRequests(samples: RequestSamples, window: PhaseWindow, endpoint?: string): PhaseRequests {
  const endpointIndex = endpoint === undefined ? null : samples.endpoints.indexOf(endpoint);
  const durationsMs = Float64Array.from(select(samples.durations, window, endpointIndex)).sort();
  const failed = select(samples.failures, window, endpointIndex);
  return { durationsMs, requests: failed.length, failures: failed.filter((value) => value !== 0).length };
}

/** The exact nearest-rank p(N) of sorted durations; null without samples. */
export function exactPercentile(sortedMs: Float64Array, percentile: number): number | null {
  if (sortedMs.length === 0) return null;
  return sortedMs[nearestRank(String(percentile), sortedMs.length) - 1]!;
}

/** Number of sorted values >= limit (binary search). */
function countAtOrOver(sortedMs: Float64Array, limit: number): number {
  let low = 0;
  let high = sortedMs.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sortedMs[middle]! < limit) low = middle + 1;
    else high = middle;
  }
  return sortedMs.length - low;
}

const scope = (phase: string, endpoint?: string): string => `${phase}${endpoint ? ` ${endpoint}` : ""}`;

/** `p(N) < limit` on one phase: passes when at most n - ceil(N/100 n) requests took limit or longer. */
export function judgePhasePercentile(phase: string, requests: PhaseRequests, percentile: number, limitMs: number, endpoint?: string): Check {
  const samples = requests.durationsMs.length;
  const statistic = `p(${percentile})`;
  const base = { name: `${scope(phase, endpoint)} ${statistic} < ${formatLimit(limitMs, "ms")}`, kind: "expectation" as const, metric: "http_req_duration", expression: `${statistic}<${limitMs}`, endpoint: endpoint ?? null, limit: limitMs, unit: "ms" as const };
  if (samples === 0) return { ...base, observed: null, verdict: "no-data", reason: `no request ended during ${phase}` };
  const rank = nearestRank(String(percentile), samples);
  const beyond = countAtOrOver(requests.durationsMs, limitMs);
  const allowed = samples - rank;
  const allowedShare = (100 - percentile) / 100;
  const observed = exactPercentile(requests.durationsMs, percentile)!;
  const needed = samplesToTellFromMaximum(String(percentile));
  const tooFew = samples < needed ? `; ${samples} requests: too few for ${statistic} to differ from the maximum (${needed} needed)` : "";
  return {
    ...base,
    observed,
    verdict: beyond <= allowed ? "pass" : "fail",
    samples,
    beyondLimit: beyond,
    reason: `${formatObserved(beyond / samples, allowedShare, "ratio")} (${beyond}) of ${samples} requests at or over ${formatLimit(limitMs, "ms")}; allowed ${formatLimit(allowedShare, "ratio")} (at most ${allowed}); ${statistic} ${formatObserved(observed, limitMs, "ms")}${tooFew}`,
  };
}

/** Error rate below `limit` on one phase (0: no failed request at all), as the exact fraction. */
export function judgePhaseErrorRate(phase: string, requests: PhaseRequests, limit: number, endpoint?: string): Check {
  const base = { name: `${scope(phase, endpoint)} error rate ${limit === 0 ? "= 0" : `< ${formatLimit(limit, "ratio")}`}`, kind: "expectation" as const, metric: "http_req_failed", expression: limit === 0 ? "rate<=0" : `rate<${limit}`, endpoint: endpoint ?? null, limit, unit: "ratio" as const };
  if (requests.requests === 0) return { ...base, observed: null, verdict: "no-data", reason: `no request ended during ${phase}` };
  const rate = requests.failures / requests.requests;
  const pass = limit === 0 ? requests.failures === 0 : rate < limit;
  return {
    ...base,
    observed: rate,
    verdict: pass ? "pass" : "fail",
    samples: requests.requests,
    reason: `${formatObserved(rate, limit, "ratio")} (${requests.failures} of ${requests.requests} requests) failed; required ${limit === 0 ? "none" : `< ${formatLimit(limit, "ratio")}`}`,
  };
}

/** What a kind expects of one phase of its load. */
export interface PhaseExpectation {
  /** A phase name (e.g. "before", "fault:kill-one-pod") or kind ("fault" matches every fault phase). */
  phase: string;
  endpoint?: string;
  latencyP95Ms?: number;
  errorRate?: number;
}

/** Every expectation judged on every phase it names; an expectation naming no phase that happened is a failed check. */
export function judgePhases(samples: RequestSamples, phases: readonly PhaseWindow[], expectations: readonly PhaseExpectation[]): Check[] {
  const checks: Check[] = [];
  for (const expectation of expectations) {
    const matching = phases.filter((phase) => phase.name === expectation.phase || phase.kind === expectation.phase);
    if (matching.length === 0) {
      checks.push({ name: `${expectation.phase}: expectations`, kind: "expectation", observed: null, limit: null, unit: "count", verdict: "fail", reason: `phase '${expectation.phase}' did not happen (phases: ${phases.map((phase) => phase.name).join(", ") || "none"})` });
      continue;
    }
    for (const phase of matching) {
      const requests = phaseRequests(samples, phase, expectation.endpoint);
      if (expectation.latencyP95Ms !== undefined) checks.push(judgePhasePercentile(phase.name, requests, 95, expectation.latencyP95Ms, expectation.endpoint));
      if (expectation.errorRate !== undefined) checks.push(judgePhaseErrorRate(phase.name, requests, expectation.errorRate, expectation.endpoint));
    }
  }
  return checks;
}
