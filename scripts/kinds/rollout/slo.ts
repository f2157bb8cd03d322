// The SLO during a rollout: judged afterwards on the rollout and rollback phases of the load alone
// (scripts/kinds/load/phases.ts), and watched live on the last seconds of requests to detect a breach
// and to see it hold again after a rollback. Only pods that serve the load can break it: with simulated
// pods the checks say "not applicable", never "pass". Pure.
import type { RequestSamples } from "../../core/request-samples.ts";
import type { Check } from "../../core/step-result.ts";
import { formatLimit, formatMs, formatObserved } from "../../core/format.ts";
import { exactPercentile, judgePhases, phaseRequests, type PhaseWindow } from "../load/phases.ts";
import type { RolloutExpectations } from "./definition.ts";

export type RolloutSlo = NonNullable<RolloutExpectations["slo"]>;

/** Whether the load can see the rollout at all. */
export interface PodReality {
  simulated: boolean;
  /** Why, for reports: "pods on KWOK nodes kwok-node-0, kwok-node-1". */
  why: string;
}

/** The phases whose SLO a rollout check of a good change judges. */
export const judgedPhaseKinds = ["rollout", "rollback"] as const;

type Outcome = RolloutExpectations["outcome"];

/**
 * The SLO of a rollout check's load, judged with real pods and "not applicable" with simulated ones.
 * A good change (`completes`) must keep the SLO during the rollout and the rollback. A bad change
 * (`rolled-back`) breaks it on purpose (with real pods the breach is what detects it): its failures are
 * measured (the error blip) and the SLO is judged on the load after the restore (the recovery).
 */
export function judgeRolloutSlo(slo: RolloutSlo | undefined, phases: readonly PhaseWindow[], requests: RequestSamples | null, pods: PodReality, outcome: Outcome = "completes"): Check[] {
  if (!slo) return [];
  const judged: readonly string[] = outcome === "completes" ? judgedPhaseKinds : ["after"];
  if (!pods.simulated && requests) {
    const checks = judgePhases(requests, phases, judged.map((phase) => ({ phase, ...slo })));
    return outcome === "completes" ? checks : [errorBlip(requests, phases), ...checks];
  }
  const reason = pods.simulated
    ? `not applicable: simulated pods (${pods.why}) serve no traffic, so the load cannot see the rollout`
    : "not applicable: no load ran alongside the rollout";
  const unjudged = (name: string) => [
    ...(slo.latencyP95Ms !== undefined
      ? [{ name: `${name} p(95) < ${formatLimit(slo.latencyP95Ms, "ms")}`, kind: "expectation" as const, metric: "http_req_duration", expression: `p(95)<${slo.latencyP95Ms}`, observed: null, limit: slo.latencyP95Ms, unit: "ms" as const, verdict: "no-data" as const, reason }]
      : []),
    ...(slo.errorRate !== undefined
      ? [{ name: `${name} error rate ${slo.errorRate === 0 ? "= 0" : `< ${formatLimit(slo.errorRate, "ratio")}`}`, kind: "expectation" as const, metric: "http_req_failed", expression: slo.errorRate === 0 ? "rate<=0" : `rate<${slo.errorRate}`, observed: null, limit: slo.errorRate, unit: "ratio" as const, verdict: "no-data" as const, reason }]
      : []),
  ];
  const names = outcome === "completes" ? phases.filter((phase) => judged.includes(phase.kind)).map((phase) => phase.name) : ["after"];
  return [...(outcome === "completes" ? [] : [{ ...blipBase, observed: null, verdict: "no-data" as const, reason }]), ...names.flatMap(unjudged)];
}

const blipBase = { name: "error blip of the bad change", kind: "rollout" as const, metric: "http_req_failed", limit: null, unit: "count" as const };

/**
 * The failed requests of a bad change, measured on the requests that ended between the change and the
 * restore (the rollout and rollback phases): how many, and from when to when after the change. A
 * measurement, not a verdict: detection, time to restore and the SLO after the restore judge the drill.
 */
export function errorBlip(requests: RequestSamples, phases: readonly PhaseWindow[]): Check {
  const windows = phases.filter((phase) => phase.kind === "rollout" || phase.kind === "rollback");
  const changeMs = windows.find((phase) => phase.kind === "rollout")?.startMs;
  if (changeMs === undefined) return { ...blipBase, observed: null, verdict: "no-data", reason: "the change was never applied" };
  const inWindows = (timeMs: number) => windows.some((phase) => timeMs >= phase.startMs && timeMs < phase.endMs);
  const column = requests.failures;
  let total = 0;
  let failed = 0;
  let firstMs = Infinity;
  let lastMs = -Infinity;
  for (let index = 0; index < column.count; index++) {
    const timeMs = column.timeMs[index]!;
    if (!inWindows(timeMs)) continue;
    total++;
    if (column.value[index] === 0) continue;
    failed++;
    firstMs = Math.min(firstMs, timeMs);
    lastMs = Math.max(lastMs, timeMs);
  }
  const restoredMs = Math.max(...windows.map((phase) => phase.endMs));
  const until = `between the change and the restore (${formatMs(restoredMs - changeMs)})`;
  const reason =
    failed === 0
      ? `no request failed of ${total} ${until}`
      : `${failed} of ${total} requests failed ${until}: the first ended ${formatMs(firstMs - changeMs)} after the change, the last ${formatMs(lastMs - changeMs)} after it (${formatMs(restoredMs - lastMs)} before the restore)`;
  return { ...blipBase, observed: failed, verdict: "pass", samples: total, reason };
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
