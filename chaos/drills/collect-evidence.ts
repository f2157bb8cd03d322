import { hostname, userInfo } from "node:os";
import { isoTime } from "../../scripts/core/clock.ts";
import { gitCommit, toolVersion } from "../../scripts/core/provenance.ts";
import type { DrillEvidence } from "./evidence.ts";
import type { DrillFacts, DrillJudgement, RecoveryLimits } from "./judge.ts";
import type { DrillSession } from "./phases.ts";

/** drill.json: who ran which drill where and when, what each step did, what was measured and judged. */
export async function collectEvidence(
  drill: { name: string; environment: string; targets: RecoveryLimits; runId: string },
  session: DrillSession,
  facts: DrillFacts,
  judgement: DrillJudgement,
  times: { started: number; finished: number; where: string },
): Promise<DrillEvidence> {
  const { targets } = drill;
  const { definition, runner, record, writeProbe, availability } = session;
  const comparison = record.comparison;
  const optionalTime = (epochMs: number | null) => (epochMs === null ? null : isoTime(epochMs));
  return {
    evidenceVersion: 1,
    runId: drill.runId,
    drill: drill.name,
    kind: definition.kind,
    description: definition.description,
    who: process.env.BULWARK_OPERATOR ?? `${userInfo().username}@${hostname()}`,
    where: { environment: drill.environment, host: hostname(), target: times.where },
    startedAt: isoTime(times.started),
    finishedAt: isoTime(times.finished),
    durationMs: Math.round(times.finished - times.started),
    gitCommit: await gitCommit(),
    versions: { bulwark: toolVersion, node: process.version, ...(await runner.versions()) },
    targets,
    timeline: {
      disasterAt: optionalTime(record.disasterAt),
      disasterFinishedAt: optionalTime(record.disasterFinishedAt),
      restoreStartedAt: optionalTime(record.restoreStartedAt),
      restoreFinishedAt: optionalTime(record.restoreFinishedAt),
      firstSuccessAt: optionalTime(record.firstSuccess?.at ?? null),
    },
    rto: { ms: facts.rto && facts.restoreSucceeded ? Math.round(facts.rto.ms) : null, targetMs: targets.rtoMs, precisionMs: definition.availabilityProbe.intervalMs, ...judgement.rto },
    rpo: {
      ms: facts.rpo ? Math.round(facts.rpo.ms) : null,
      targetMs: targets.rpoMs,
      precisionMs: writeProbe?.config.intervalMs ?? null,
      lowerBound: facts.rpo?.lowerBound ?? false,
      ...judgement.rpo,
      acknowledgedWrites: writeProbe?.ledger.acknowledged().length ?? 0,
      survivingWrites: comparison?.survived ?? 0,
      newestSurvivingSeq: comparison?.newestSurvivingSeq ?? null,
      lostSeqs: comparison?.lostSeqs ?? [],
      unacknowledgedSurvivors: comparison?.unacknowledgedSurvivors ?? [],
    },
    integrity: record.integrity,
    probes: {
      write: writeProbe
        ? { intervalMs: writeProbe.config.intervalMs, attempts: writeProbe.ledger.entries.length, acknowledged: writeProbe.ledger.acknowledged().length, failed: writeProbe.ledger.entries.length - writeProbe.ledger.acknowledged().length }
        : null,
      availability: {
        kind: definition.availabilityProbe.kind,
        intervalMs: definition.availabilityProbe.intervalMs,
        samples: availability.samples.length,
        failures: availability.samples.filter((sample) => !sample.ok).length,
      },
    },
    steps: session.steps.records,
    checks: judgement.checks,
    verdict: judgement.verdict,
    exitCode: judgement.exitCode,
    ...(facts.preparationError !== undefined ? { error: facts.preparationError } : facts.interrupted ? { error: "interrupted" } : {}),
    artifacts: { evidence: "drill.json", report: "drill.md", summary: "summary.json", ledger: "ledger.jsonl", availability: "availability.jsonl" },
  };
}
