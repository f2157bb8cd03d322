import { ExitCode } from "../../scripts/core/errors.ts";
import { formatMs } from "../../scripts/core/format.ts";
import type { Check, Verdict } from "../../scripts/core/step-result.ts";
import type { IntegrityCheck } from "./integrity.ts";
import { judgeAgainstTarget, type RpoMeasurement, type RtoMeasurement, type TargetVerdict } from "./recovery-metrics.ts";

/** What a drill established, recorded before anything is judged: no clocks, no I/O. */
export interface DrillFacts {
  /** The operator interrupted the drill (Ctrl-C, SIGTERM). */
  interrupted: boolean;
  /** Why the drill stopped before the disaster (setup, backup, steady state), if it did. */
  preparationError?: string;
  /** The disaster step was started: only then are there recovery figures to judge. */
  disasterStarted: boolean;
  restoreSucceeded: boolean;
  /** First successful availability check after the disaster, if any. */
  rto: RtoMeasurement | null;
  /** The drill wrote through a write probe, so it promised an RPO. */
  hasWriteProbe: boolean;
  /** Loss window of acknowledged writes; null when the ledger could not be compared. */
  rpo: RpoMeasurement | null;
  /** Reference data and ledger after the restore. */
  integrity: readonly IntegrityCheck[];
}

export interface RecoveryLimits {
  rtoMs: number;
  rpoMs: number;
}

export interface DrillJudgement {
  rto: TargetVerdict;
  rpo: TargetVerdict;
  checks: Check[];
  verdict: Verdict;
  exitCode: number;
}

/** The drill's verdict from its facts alone: RTO and RPO against their limits, the restore, the integrity checks. */
export function judge(facts: DrillFacts, limits: RecoveryLimits): DrillJudgement {
  const rto = judgeRto(facts, limits);
  const rpo = judgeRpo(facts, limits);
  const checks: Check[] = facts.disasterStarted ? recoveryChecks(facts, limits, rto, rpo) : [];
  const [verdict, exitCode] = overall(facts, checks);
  return { rto, rpo, checks, verdict, exitCode };
}

function judgeRto(facts: DrillFacts, limits: RecoveryLimits): TargetVerdict {
  if (!facts.restoreSucceeded) return { verdict: "fail", reason: "RTO not measured: the restore failed" };
  // A service that answers with the wrong data has not recovered.
  if (!facts.integrity.every((check) => check.verdict === "pass")) {
    return { verdict: "fail", reason: "RTO not reached: the service answered but its data did not pass the integrity checks" };
  }
  return judgeAgainstTarget("RTO", facts.rto?.ms ?? null, limits.rtoMs, "no successful availability check after the disaster");
}

function judgeRpo(facts: DrillFacts, limits: RecoveryLimits): TargetVerdict {
  if (!facts.hasWriteProbe) return { verdict: "no-data", reason: "RPO not measured: the drill has no write probe" };
  return judgeAgainstTarget("RPO", facts.rpo?.ms ?? null, limits.rpoMs, facts.restoreSucceeded ? "the ledger could not be compared" : "the restore failed");
}

function recoveryChecks(facts: DrillFacts, limits: RecoveryLimits, rto: TargetVerdict, rpo: TargetVerdict): Check[] {
  const restored = facts.restoreSucceeded;
  const checks: Check[] = [
    { name: "restore completed", kind: "drill", observed: restored ? 1 : 0, limit: 1, unit: "count", verdict: restored ? "pass" : "fail", reason: restored ? "the restore step succeeded" : "the restore step failed" },
    { name: `RTO < ${formatMs(limits.rtoMs)}`, kind: "drill", observed: facts.rto && restored ? facts.rto.ms / 1000 : null, limit: limits.rtoMs / 1000, unit: "s", ...rto },
  ];
  if (facts.hasWriteProbe) checks.push({ name: `RPO < ${formatMs(limits.rpoMs)}`, kind: "drill", observed: facts.rpo ? facts.rpo.ms / 1000 : null, limit: limits.rpoMs / 1000, unit: "s", ...rpo });
  for (const check of facts.integrity) {
    checks.push({
      name: check.name,
      kind: "drill",
      observed: typeof check.observed === "number" ? check.observed : check.verdict === "pass" ? 1 : 0,
      limit: typeof check.expected === "number" ? check.expected : 1,
      unit: "count",
      verdict: check.verdict,
      reason: check.reason,
    });
  }
  return checks;
}

function overall(facts: DrillFacts, checks: readonly Check[]): [Verdict, number] {
  if (facts.interrupted) return ["aborted", ExitCode.aborted];
  if (facts.preparationError !== undefined) return ["error", ExitCode.tooling];
  if (checks.some((check) => check.verdict === "fail")) return ["fail", ExitCode.checkFailed];
  return ["pass", ExitCode.pass];
}
