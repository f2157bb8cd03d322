// The SLO during a rollout: judged afterwards on the rollout and rollback phases of the load alone
// (scripts/kinds/load/phases.ts), and watched live on the last seconds of requests to detect a breach
// and to see it hold again after a rollback. Only pods that serve the load can break it: with simulated
// pods the checks say "not applicable", never "pass". Pure.
import type { RequestSamples } from "../../core/request-samples.ts";
import type { Check } from "../../core/step-result.ts";
import { formatLimit, formatObserved } from "../../core/format.ts";
import { exactPercentile, judgePhases, phaseRequests, type PhaseWindow } from "../load/phases.ts";
import type { RolloutExpectations } from "./definition.ts";

export type RolloutSlo = NonNullable<RolloutExpectations["slo"]>;

/** Whether the load can see the rollout at all. */
export interface PodReality {
  simulated: boolean;
  /** Why, for reports: "pods on KWOK nodes kwok-node-0, kwok-node-1". */
  why: string;
}

/** The phases whose SLO a rollout check judges. */
export const judgedPhaseKinds = ["rollout", "rollback"] as const;

/** The SLO of every rollout and rollback phase: judged with real pods, "not applicable" with simulated ones. */
export function judgeRolloutSlo(slo: RolloutSlo | undefined, phases: readonly PhaseWindow[], requests: RequestSamples | null, pods: PodReality): Check[] {
  if (!slo) return [];
  if (!pods.simulated && requests) return judgePhases(requests, phases, judgedPhaseKinds.map((phase) => ({ phase, ...slo })));
  const reason = pods.simulated
    ? `not applicable: simulated pods (${pods.why}) serve no traffic, so the load cannot see the rollout`
    : "not applicable: no load ran alongside the rollout";
  return phases
    .filter((phase) => (judgedPhaseKinds as readonly string[]).includes(phase.kind))
    .flatMap((phase): Check[] => [
      ...(slo.latencyP95Ms !== undefined
        ? [{ name: `${phase.name} p(95) < ${formatLimit(slo.latencyP95Ms, "ms")}`, kind: "expectation" as const, metric: "http_req_duration", expression: `p(95)<${slo.latencyP95Ms}`, observed: null, limit: slo.latencyP95Ms, unit: "ms" as const, verdict: "no-data" as const, reason }]
        : []),
      ...(slo.errorRate !== undefined
        ? [{ name: `${phase.name} error rate ${slo.errorRate === 0 ? "= 0" : `< ${formatLimit(slo.errorRate, "ratio")}`}`, kind: "expectation" as const, metric: "http_req_failed", expression: slo.errorRate === 0 ? "rate<=0" : `rate<${slo.errorRate}`, observed: null, limit: slo.errorRate, unit: "ratio" as const, verdict: "no-data" as const, reason }]
        : []),
    ]);
}

/** Fewer requests than this in a live window decide nothing. */
export const liveWindowMinimumRequests = 5;

/** The SLO broken by the requests that ended in [fromMs, toMs): a sentence saying how, or null. */
export function liveBreach(requests: RequestSamples, fromMs: number, toMs: number, slo: RolloutSlo): string | null {
  const window = phaseRequests(requests, { name: "live", kind: "other", startMs: fromMs, endMs: toMs });
  if (window.requests < liveWindowMinimumRequests) return null;
  const seconds = `${Math.round((toMs - fromMs) / 100) / 10} s`;
  if (slo.errorRate !== undefined) {
    const rate = window.failures / window.requests;
    if (slo.errorRate === 0 ? window.failures > 0 : rate >= slo.errorRate) {
      return `${window.failures} of ${window.requests} requests failed in the last ${seconds} (${formatObserved(rate, slo.errorRate, "ratio")}, limit ${formatLimit(slo.errorRate, "ratio")})`;
    }
  }
  if (slo.latencyP95Ms !== undefined) {
    const p95 = exactPercentile(window.durationsMs, 95);
    if (p95 !== null && p95 >= slo.latencyP95Ms) return `p(95) of the last ${seconds} was ${formatObserved(p95, slo.latencyP95Ms, "ms")} (limit ${formatLimit(slo.latencyP95Ms, "ms")})`;
  }
  return null;
}

/** The SLO holds on the requests that ended in [fromMs, toMs) (at least one request, none breaking it). */
export function sloHolds(requests: RequestSamples, fromMs: number, toMs: number, slo: RolloutSlo): boolean {
  const window = phaseRequests(requests, { name: "live", kind: "other", startMs: fromMs, endMs: toMs });
  if (window.requests === 0) return false;
  if (slo.errorRate !== undefined && (slo.errorRate === 0 ? window.failures > 0 : window.failures / window.requests >= slo.errorRate)) return false;
  const p95 = exactPercentile(window.durationsMs, 95);
  return slo.latencyP95Ms === undefined || (p95 !== null && p95 < slo.latencyP95Ms);
}
