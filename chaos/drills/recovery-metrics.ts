import { formatMs } from "../../scripts/core/format.ts";
import type { LedgerEntry } from "./ledger.ts";

/** What survived the restore, compared with what the data store had acknowledged before the disaster. */
export interface LedgerComparison {
  acknowledged: number;
  survived: number;
  /** Acknowledged before the disaster and missing after the restore, ascending. */
  lostSeqs: number[];
  newestSurvivingSeq: number | null;
  newestSurvivingAckedAt: number | null;
  /** Lost writes older than a surviving one: a restore should lose a tail, never a hole in the middle. */
  holes: number[];
  /** Rows that survived although their write was never acknowledged (committed, but the reply was lost). */
  unacknowledgedSurvivors: number[];
}

export function compareLedger(entries: readonly LedgerEntry[], survivingSeqs: Iterable<number>): LedgerComparison {
  const survivors = new Set(survivingSeqs);
  const acknowledged = entries.filter((entry) => entry.ackedAt !== undefined);
  const lost = acknowledged.filter((entry) => !survivors.has(entry.seq));
  const surviving = acknowledged.filter((entry) => survivors.has(entry.seq));
  const newest = surviving.reduce<LedgerEntry | undefined>((best, entry) => (best === undefined || entry.seq > best.seq ? entry : best), undefined);
  const acknowledgedSeqs = new Set(acknowledged.map((entry) => entry.seq));
  return {
    acknowledged: acknowledged.length,
    survived: surviving.length,
    lostSeqs: lost.map((entry) => entry.seq).sort((a, b) => a - b),
    newestSurvivingSeq: newest?.seq ?? null,
    newestSurvivingAckedAt: newest?.ackedAt ?? null,
    holes: newest ? lost.filter((entry) => entry.seq < newest.seq).map((entry) => entry.seq).sort((a, b) => a - b) : [],
    unacknowledgedSurvivors: [...survivors].filter((seq) => !acknowledgedSeqs.has(seq)).sort((a, b) => a - b),
  };
}

export interface RpoMeasurement {
  /** Disaster time minus the acknowledgement time of the newest surviving acknowledged write. */
  ms: number;
  /** True when nothing survived: the loss reaches back at least to the first write, maybe further. */
  lowerBound: boolean;
  /** The write cadence: a loss shorter than this cannot be seen. */
  precisionMs: number;
}

export function measureRpo(input: { disasterAt: number; comparison: LedgerComparison; firstWriteAt: number | null; cadenceMs: number }): RpoMeasurement | null {
  const { disasterAt, comparison, firstWriteAt, cadenceMs } = input;
  if (comparison.acknowledged === 0) return null;
  if (comparison.newestSurvivingAckedAt === null) {
    return { ms: Math.max(0, disasterAt - (firstWriteAt ?? disasterAt)), lowerBound: true, precisionMs: cadenceMs };
  }
  return { ms: Math.max(0, disasterAt - comparison.newestSurvivingAckedAt), lowerBound: false, precisionMs: cadenceMs };
}

export interface ProbeSample {
  /** When the check began; only checks begun after the disaster can show a recovery. */
  startedAt: number;
  /** When its outcome was known. */
  at: number;
  ok: boolean;
  latencyMs: number;
  detail?: string;
}

export interface RtoMeasurement {
  /** First successful availability check after the disaster, minus the disaster time. */
  ms: number;
  firstSuccessAt: number;
  /** The probe interval: the service may have come back up to this much earlier. */
  precisionMs: number;
}

/**
 * `recoveryFrom` is when the disaster action had finished: a service may still answer while it is being
 * destroyed (a server draining its connections), and that is not a recovery.
 */
export function measureRto(input: { disasterAt: number; recoveryFrom?: number; samples: readonly ProbeSample[]; intervalMs: number }): RtoMeasurement | null {
  const from = Math.max(input.disasterAt, input.recoveryFrom ?? input.disasterAt);
  const first = input.samples.filter((sample) => sample.ok && sample.startedAt >= from).sort((a, b) => a.at - b.at)[0];
  if (!first) return null;
  return { ms: first.at - input.disasterAt, firstSuccessAt: first.at, precisionMs: input.intervalMs };
}

export interface TargetVerdict {
  verdict: "pass" | "fail" | "no-data";
  reason: string;
}

/** A measured recovery figure against its objective; missing measurements fail, because the drill promised one. */
export function judgeAgainstTarget(label: string, observedMs: number | null, limitMs: number, missingReason: string): TargetVerdict {
  if (observedMs === null) return { verdict: "fail", reason: `${label} not measured: ${missingReason}` };
  if (observedMs < limitMs) return { verdict: "pass", reason: `${label} ${formatMs(observedMs)} is inside the target of ${formatMs(limitMs)}` };
  return { verdict: "fail", reason: `${label} ${formatMs(observedMs)} exceeds the target of ${formatMs(limitMs)}` };
}
