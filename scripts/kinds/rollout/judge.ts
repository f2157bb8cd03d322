// The verdicts of a rollout check: one check per expectation, judged from what the run recorded. Pure.
import type { Check } from "../../core/step-result.ts";
import { formatMs } from "../../core/format.ts";
import type { RolloutExpectations, RolloutTimings } from "./definition.ts";
import type { RolloutEnd } from "./explain.ts";

/** What the run recorded, in Unix ms (our clock). */
export interface RolloutRecord {
  changeAtMs: number;
  /** How and when the rollout phase ended (null: interrupted before it ended). */
  rolloutEnd: RolloutEnd | null;
  rolloutEndAtMs: number | null;
  /** The rollback back to the original template, when one was started. */
  rollback: {
    startedAtMs: number;
    /** The original ReplicaSet fully available again (and every other one scaled to zero). */
    replicaSetRestoredAtMs: number | null;
    /** Real pods with an SLO: the SLO held again; null when it did not within the wait or is not judged. */
    sloHoldingAtMs: number | null;
    /** Whether restore needs the SLO to hold again (real pods and expect.slo). */
    sloCounts: boolean;
  } | null;
  /** Sentences explaining a slow or failed rollout (explain.ts). */
  explanation: readonly string[];
  /** pod-template-hash of the ReplicaSet the Deployment ended on, and of the original one. */
  finalHash: string | null;
  originalHash: string;
  endsOnOriginalTemplate: boolean;
}

const seconds = (ms: number): number => Math.round(ms) / 1000;
const explained = (record: RolloutRecord): string => (record.explanation.length > 0 ? `: ${record.explanation.join("; ")}` : "");

function durationCheck(name: string, observedMs: number | null, limitMs: number, reason: string): Check {
  return {
    name,
    kind: "rollout",
    observed: observedMs === null ? null : seconds(observedMs),
    limit: seconds(limitMs),
    unit: "s",
    verdict: observedMs !== null && observedMs <= limitMs ? "pass" : "fail",
    reason,
  };
}

const detectedBy: Partial<Record<RolloutEnd, string>> = {
  "deadline-exceeded": "the progress deadline (ProgressDeadlineExceeded)",
  "readiness-timeout": "readiness never reached",
  "slo-breach": "an SLO breach during the rollout",
};

/** When the rollback counts as restored: the ReplicaSet back, and the SLO holding again when it counts. */
export function restoredAtMs(rollback: NonNullable<RolloutRecord["rollback"]>): number | null {
  if (rollback.replicaSetRestoredAtMs === null) return null;
  if (!rollback.sloCounts) return rollback.replicaSetRestoredAtMs;
  return rollback.sloHoldingAtMs === null ? null : Math.max(rollback.replicaSetRestoredAtMs, rollback.sloHoldingAtMs);
}

function restoreCheck(record: RolloutRecord, limitMs: number, giveUpMs: number): Check {
  const name = `restored within ${formatMs(limitMs)} of the rollback`;
  const rollback = record.rollback;
  if (!rollback) return durationCheck(name, null, limitMs, "no rollback was started");
  const restored = restoredAtMs(rollback);
  const what = `the original ReplicaSet (${record.originalHash}) fully available again${rollback.sloCounts ? " and the SLO holding again" : ""}`;
  if (restored === null) {
    const missing = rollback.replicaSetRestoredAtMs === null ? "the original ReplicaSet was not fully available again" : "the SLO did not hold again";
    return durationCheck(name, null, limitMs, `not restored within ${formatMs(giveUpMs)} of the rollback: ${missing}`);
  }
  const took = restored - rollback.startedAtMs;
  return durationCheck(name, took, limitMs, `${what} ${formatMs(took)} after the rollback started (${formatMs(restored - record.changeAtMs)} after the change)`);
}

/** One check per expectation of the rollout (the SLOs of its phases are judged with the load's phases). */
export function judgeRollout(expect: RolloutExpectations, timings: RolloutTimings, record: RolloutRecord): Check[] {
  const checks: Check[] = [];
  const rolloutMs = record.rolloutEndAtMs === null ? null : record.rolloutEndAtMs - record.changeAtMs;
  if (expect.outcome === "completes") {
    const limitMs = timings.completesWithinMs!;
    const name = `rollout completes within ${formatMs(limitMs)}`;
    if (record.rolloutEnd === "complete") {
      checks.push(durationCheck(name, rolloutMs, limitMs, `every replica updated and available ${formatMs(rolloutMs!)} after the change${rolloutMs! > limitMs ? explained(record) : ""}`));
    } else {
      const ended = rolloutMs === null ? "" : ` (gave up or failed after ${formatMs(rolloutMs)})`;
      checks.push(durationCheck(name, null, limitMs, `the rollout did not complete${ended}${explained(record)}`));
    }
    if (timings.restoreWithinMs !== undefined) checks.push(restoreCheck(record, timings.restoreWithinMs, timings.rollbackGiveUpMs));
  } else {
    const limitMs = timings.detectWithinMs!;
    const name = `bad change detected within ${formatMs(limitMs)}`;
    const signal = record.rolloutEnd ? detectedBy[record.rolloutEnd] : undefined;
    if (signal && rolloutMs !== null) {
      checks.push(durationCheck(name, rolloutMs, limitMs, `detected by ${signal} ${formatMs(rolloutMs)} after the change${explained(record)}`));
    } else if (record.rolloutEnd === "complete") {
      checks.push(durationCheck(name, null, limitMs, `nothing detected it: the change rolled out completely in ${formatMs(rolloutMs!)} (every new pod became Ready)`));
    } else {
      checks.push(durationCheck(name, null, limitMs, `not detected within ${formatMs(timings.rolloutGiveUpMs)}${explained(record)}`));
    }
    checks.push(restoreCheck(record, timings.restoreWithinMs!, timings.rollbackGiveUpMs));
  }
  checks.push(templateCheck(record));
  return checks;
}

/** The check is safe to run again and again: the Deployment ends where it started. */
export function templateCheck(record: Pick<RolloutRecord, "originalHash" | "finalHash" | "endsOnOriginalTemplate">): Check {
  return {
    name: "Deployment ends on its original pod template",
    kind: "rollout",
    observed: null,
    limit: null,
    unit: "count",
    verdict: record.endsOnOriginalTemplate ? "pass" : "fail",
    reason: record.endsOnOriginalTemplate
      ? `the pod template is the one before the change (pod-template-hash ${record.originalHash})`
      : `the pod template differs from the one before the change (now pod-template-hash ${record.finalHash ?? "unknown"}, was ${record.originalHash})`,
  };
}
