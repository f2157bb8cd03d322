// From what happened (fault instants, probe readings, the load's requests) to the step's phases and
// checks. Pure, so each boundary is unit-tested: the load is cut into before / fault / recovery / after
// from the journal's instants, and every probe, injection, recovery and expectation becomes one check.
import type { RequestSamples } from "../../scripts/core/request-samples.ts";
import type { Check } from "../../scripts/core/step-result.ts";
import { cutPhases, judgePhases, type MarkedWindow, type PhaseWindow } from "../../scripts/kinds/load/phases.ts";
import type { FaultOutcome } from "./fault-actions.ts";
import { judgeHypothesis, type HypothesisWindow } from "./hypothesis.ts";
import type { SafetyReading } from "./safety.ts";
import { durationMs, faultPhaseName, parallelPhaseName, type Experiment } from "./schema.ts";
import type { ProbeReading } from "./tolerance.ts";

/** The faults injected together (one each in sequence, all of them when parallel). */
export type FaultGroup = FaultOutcome[];

export interface SafetyRecord {
  /** The highest reading taken while faults were in. */
  highest?: SafetyReading & { atMs: number };
  breach?: SafetyReading & { atMs: number; fault: string; removedAfterMs: number; plannedMs: number };
}

export interface ExperimentFacts {
  experiment: Experiment;
  groups: FaultGroup[];
  /** Faults the method did not get to (after a fault that never took effect, a safety stop or an abort). */
  skipped: string[];
  preflightStartMs: number;
  readings: ProbeReading[];
  load: { startedAtMs: number; endedAtMs: number; requests: RequestSamples };
  safety: SafetyRecord;
  rollbackFailures: string[];
}

export const groupName = (group: FaultGroup): string => (group.length === 1 ? group[0]!.entry.name : parallelPhaseName(group.map((outcome) => outcome.entry)));
const injectedAt = (group: FaultGroup): number | undefined => {
  const instants = group.flatMap((outcome) => (outcome.injectedAtMs === undefined ? [] : [outcome.injectedAtMs]));
  return instants.length ? Math.min(...instants) : undefined;
};
const removedAt = (group: FaultGroup, fallback: number): number => Math.max(...group.map((outcome) => outcome.removedAtMs ?? fallback));
const recoveredAt = (group: FaultGroup): number | undefined => group[0]?.recoveredAtMs;

/**
 * Just past the latest end of a request sent before `instantMs` (its end minus its duration), so that a
 * phase ending there (end exclusive) holds it; `instantMs` when none was in flight.
 */
export function inFlightUntil(requests: RequestSamples, instantMs: number): number {
  const column = requests.durations;
  let latest = instantMs;
  for (let index = 0; index < column.count; index++) {
    const end = column.timeMs[index]!;
    if (end >= latest && end - column.value[index]! < instantMs) latest = end + 1;
  }
  return latest;
}

/**
 * The fault and recovery marks on the load. A fault phase runs from the instant the fault was applied to
 * the instant its removal was asked for (or the demo target switched back). Recovery runs from there
 * until the hypothesis held again and every request sent while the fault was in has ended, so that a
 * slow request of the fault never counts in the next phase.
 */
export function faultMarks(facts: ExperimentFacts): MarkedWindow[] {
  const marks: MarkedWindow[] = [];
  const recoveryLimit = durationMs(facts.experiment.expectations.recoveryTime);
  const injected = facts.groups.filter((group) => injectedAt(group) !== undefined);
  injected.forEach((group, index) => {
    const start = injectedAt(group)!;
    const end = removedAt(group, facts.load.endedAtMs);
    const name = groupName(group);
    marks.push({ name: faultPhaseName(name), kind: "fault", startMs: start, endMs: end });
    const nextStart = index + 1 < injected.length ? injectedAt(injected[index + 1]!)! : Number.POSITIVE_INFINITY;
    const back = recoveredAt(group) ?? end + recoveryLimit;
    const recoveryEnd = Math.min(Math.max(back, inFlightUntil(facts.load.requests, end)), nextStart, Math.max(facts.load.endedAtMs, end));
    if (recoveryEnd > end) marks.push({ name: injected.length === 1 ? "recovery" : `recovery:${name}`, kind: "recovery", startMs: end, endMs: recoveryEnd });
  });
  return marks;
}

export const experimentPhases = (facts: ExperimentFacts): PhaseWindow[] => cutPhases(facts.load.startedAtMs, facts.load.endedAtMs, faultMarks(facts));

/** The hypothesis' view: before the first fault, each fault, its recovery, and after (judged like before). */
export function hypothesisWindows(facts: ExperimentFacts): HypothesisWindow[] {
  const recoveryLimit = durationMs(facts.experiment.expectations.recoveryTime);
  const windows: HypothesisWindow[] = [];
  let cursor = Math.min(facts.preflightStartMs, facts.load.startedAtMs || facts.preflightStartMs);
  let afterName = "before";
  for (const group of facts.groups) {
    const start = injectedAt(group);
    if (start === undefined) continue;
    const end = removedAt(group, Number.POSITIVE_INFINITY);
    windows.push({ name: afterName, kind: afterName === "before" ? "before" : "after", startMs: cursor, endMs: start });
    windows.push({ name: faultPhaseName(groupName(group)), kind: "fault", startMs: start, endMs: end });
    const back = recoveredAt(group) ?? end + recoveryLimit;
    windows.push({ name: `recovery from ${groupName(group)}`, kind: "recovery", startMs: end, endMs: back });
    cursor = back;
    afterName = `after ${groupName(group)}`;
  }
  windows.push({ name: afterName, kind: afterName === "before" ? "before" : "after", startMs: cursor, endMs: Number.POSITIVE_INFINITY });
  return windows.filter((window) => window.endMs > window.startMs);
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** One check per fault put in: the proof it took effect, or why it never did. */
export function injectionChecks(facts: Pick<ExperimentFacts, "experiment" | "groups" | "skipped">): Check[] {
  const deadline = durationMs(facts.experiment.injectionDeadline);
  return facts.groups.flat().flatMap((outcome): Check[] => {
    if (outcome.injectedAtMs === undefined && !outcome.neverTookEffect) return [];
    const base = { name: `injection ${outcome.entry.name}`, kind: "injection" as const, metric: outcome.label, limit: deadline, unit: "ms" as const };
    if (outcome.confirmation) return [{ ...base, observed: outcome.confirmation.atMs - outcome.injectedAtMs!, verdict: "pass", reason: `took effect ${seconds(outcome.confirmation.atMs - outcome.injectedAtMs!)} after it was applied: ${outcome.confirmation.detail}` }];
    const skipped = facts.skipped.length ? `; not injected after it: ${facts.skipped.join(", ")}` : "";
    return [{ ...base, observed: null, verdict: "fail", reason: `${outcome.neverTookEffect ?? `fault never took effect: ${outcome.label} was not confirmed`}${skipped}` }];
  });
}

function recoveryChecks(facts: ExperimentFacts): Check[] {
  const limitMs = durationMs(facts.experiment.expectations.recoveryTime);
  return facts.groups.flatMap((group): Check[] => {
    if (!group.every((outcome) => outcome.confirmation) || group[0]!.removedAtMs === undefined) return [];
    const name = groupName(group);
    const removed = removedAt(group, 0);
    const base = { name: `recovery ${name} within ${seconds(limitMs)}`, kind: "hypothesis" as const, metric: "recovery time", limit: limitMs / 1000, unit: "s" as const };
    const killed = group.find((outcome) => outcome.entry.fault?.kind === "PodChaos" && outcome.entry.fault.action === "pod-kill");
    const back = recoveredAt(group);
    if (back === undefined) return [{ ...base, observed: null, verdict: "fail", reason: `not recovered within ${seconds(limitMs)} of the fault's removal: ${group[0]!.recoveryDetail ?? "the hypothesis did not hold again"}` }];
    const afterRemoval = back - removed;
    if (killed?.replacedAtMs !== undefined && killed.confirmation) {
      const replacement = killed.replacedAtMs - killed.confirmation.atMs;
      const verdict = replacement <= limitMs && afterRemoval <= limitMs ? "pass" : "fail";
      return [{ ...base, observed: replacement / 1000, verdict, reason: `replacement pod Ready ${seconds(replacement)} after the pod was killed; hypothesis held again ${seconds(afterRemoval)} after the PodChaos was removed (limit ${seconds(limitMs)})` }];
    }
    return [{ ...base, observed: afterRemoval / 1000, verdict: afterRemoval <= limitMs ? "pass" : "fail", reason: `hypothesis held again ${seconds(afterRemoval)} after the fault was removed${group[0]!.recoveryDetail ? ` (${group[0]!.recoveryDetail})` : ""} (limit ${seconds(limitMs)})` }];
  });
}

function safetyCheck(facts: ExperimentFacts): Check {
  const { maxErrorRate, window, minRequests } = facts.experiment.safety;
  const base = { name: `safety: error rate <= ${Math.round(maxErrorRate * 1000) / 10} % while a fault is in`, kind: "safety" as const, metric: `http_req_failed over the last ${window}`, limit: maxErrorRate, unit: "ratio" as const };
  const breach = facts.safety.breach;
  if (breach) {
    return {
      ...base,
      observed: breach.rate,
      samples: breach.requests,
      verdict: "fail",
      reason: `safety limit hit: ${Math.round((breach.rate ?? 0) * 1000) / 10} % (${breach.failures} of ${breach.requests} requests in the last ${window}) failed during ${breach.fault}; every fault was removed early, ${seconds(breach.removedAfterMs)} into its planned ${seconds(breach.plannedMs)}${facts.skipped.length ? `; not injected: ${facts.skipped.join(", ")}` : ""}`,
    };
  }
  const highest = facts.safety.highest;
  return { ...base, observed: highest?.rate ?? null, verdict: "pass", reason: highest?.rate != null ? `highest ${Math.round(highest.rate * 1000) / 10} % (${highest.failures} of ${highest.requests} requests) while faults were in; the limit never acted` : `no window of ${minRequests} requests or more while faults were in; the limit never acted` };
}

/** Every fault removed and every rollback done (nothing when nothing was put in). */
export function cleanupCheck(facts: Pick<ExperimentFacts, "groups" | "rollbackFailures">): Check[] {
  const removals = facts.groups.flat().filter((outcome) => outcome.injectedAtMs !== undefined || outcome.object);
  if (removals.length === 0 && facts.rollbackFailures.length === 0) return [];
  const problems = [...removals.filter((outcome) => !outcome.removal || /still there/.test(outcome.removal)).map((outcome) => `${outcome.entry.name}: ${outcome.removal ?? "not removed"}`), ...facts.rollbackFailures];
  return [
    {
      name: "every fault removed, rollbacks done",
      kind: "safety",
      metric: "cleanup",
      observed: problems.length,
      limit: 0,
      unit: "count",
      verdict: problems.length === 0 ? "pass" : "fail",
      reason: problems.length === 0 ? removals.map((outcome) => outcome.removal).join("; ") || "nothing to remove" : problems.join("; "),
    },
  ];
}

/** Every check of the experiment: hypothesis per probe, injections, recoveries, phase expectations, safety, cleanup. */
export function experimentChecks(facts: ExperimentFacts, phases: readonly PhaseWindow[]): Check[] {
  return [
    ...judgeHypothesis(facts.experiment.hypothesis.probes, facts.readings, hypothesisWindows(facts)),
    ...injectionChecks(facts),
    ...recoveryChecks(facts),
    ...judgePhases(facts.load.requests, phases, facts.experiment.expectations.phases),
    safetyCheck(facts),
    ...cleanupCheck(facts),
  ];
}
