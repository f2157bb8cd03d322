// The step result of a rollout check: its phases cut from the load, the checks judged, the journal
// written to the run directory.
import type { V1Deployment, V1PodTemplateSpec } from "@kubernetes/client-node";
import type { Check, StepResult } from "../../core/step-result.ts";
import { writeFileAtomic } from "../../core/write-atomic.ts";
import type { runLoadAlongside } from "../load/load-alongside.ts";
import { cutPhases, phaseForReport, type MarkedWindow } from "../load/phases.ts";
import type { rolloutTimings } from "./definition.ts";
import type { RolloutEnd } from "./explain.ts";
import type { RolloutJournal } from "./journal.ts";
import { judgeRollout, templateCheck, type RolloutRecord } from "./judge.ts";
import type { RolloutRun } from "./runner.ts";
import { judgeRolloutSlo, type PodReality } from "./slo.ts";
import { strategyFacts } from "./strategy.ts";

export interface Rollback {
  startedAtMs: number;
  generation: number;
  replicaSetRestoredAtMs: number | null;
  sloHoldingAtMs: number | null;
  endedAtMs: number | null;
}

/** What happened so far; read by the result also when the run was interrupted. */
export interface Progress {
  changeAtMs?: number;
  changeGeneration?: number;
  changedTemplate?: V1PodTemplateSpec;
  changedHash?: string;
  rolloutEnd?: { end: RolloutEnd; atMs: number; detail: string };
  rollback?: Rollback;
  explanation: string[];
  interruptedAtMs?: number;
}

export function recordOf(progress: Progress, facts: { originalHash: string; finalHash: string | null; endsOnOriginalTemplate: boolean; sloCounts: boolean }): RolloutRecord {
  const rollback = progress.rollback;
  return {
    changeAtMs: progress.changeAtMs!,
    rolloutEnd: progress.rolloutEnd?.end ?? null,
    rolloutEndAtMs: progress.rolloutEnd?.atMs ?? null,
    rollback: rollback ? { startedAtMs: rollback.startedAtMs, replicaSetRestoredAtMs: rollback.replicaSetRestoredAtMs, sloHoldingAtMs: rollback.sloHoldingAtMs, sloCounts: facts.sloCounts } : null,
    explanation: progress.explanation,
    finalHash: facts.finalHash,
    originalHash: facts.originalHash,
    endsOnOriginalTemplate: facts.endsOnOriginalTemplate,
  };
}

export interface ResultInput {
  run: RolloutRun;
  startedAtMs: number;
  endedAtMs: number;
  progress: Progress;
  journal: RolloutJournal;
  pods: PodReality;
  load: Awaited<ReturnType<typeof runLoadAlongside<void>>> | undefined;
  record: RolloutRecord | null;
  endsOnOriginalTemplate: boolean;
  originalHash: string;
  finalHash: string | null;
  timings: ReturnType<typeof rolloutTimings>;
  deployment: V1Deployment;
}

/** The rollout and rollback windows of the load (the gaps become before / between / after). */
function rolloutMarks(progress: Progress, endMs: number): MarkedWindow[] {
  const marks: MarkedWindow[] = [];
  if (progress.changeAtMs !== undefined) marks.push({ name: "rollout", kind: "rollout", startMs: progress.changeAtMs, endMs: progress.rolloutEnd?.atMs ?? progress.interruptedAtMs ?? endMs });
  const rollback = progress.rollback;
  if (rollback) {
    const restored = rollback.sloHoldingAtMs ?? rollback.replicaSetRestoredAtMs;
    marks.push({ name: "rollback", kind: "rollback", startMs: rollback.startedAtMs, endMs: restored ?? rollback.endedAtMs ?? progress.interruptedAtMs ?? endMs });
  }
  return marks;
}

export async function stepResult(input: ResultInput): Promise<StepResult> {
  const { run, progress, journal, pods, load, record } = input;
  const aborted = run.context.abortSignal.aborted;
  const loadStartMs = load?.startedAtMs ?? input.startedAtMs;
  const loadEndMs = load?.endedAtMs ?? input.endedAtMs;
  const phases = cutPhases(loadStartMs, Math.max(loadEndMs, loadStartMs), rolloutMarks(progress, input.endedAtMs));
  const checks: Check[] = [];
  if (record && !aborted) {
    checks.push(...judgeRollout(run.check.expect, input.timings, record));
    checks.push(...judgeRolloutSlo(run.check.expect.slo, phases, load?.requests ?? null, pods, run.check.expect.outcome));
    // With simulated pods the load's own SLO thresholds judge the demo target, not the rollout: left out.
    // A bad change's failures are deliberate (measured as the error blip; the SLO after the restore is
    // judged instead): of the whole load only whether the generator sent it counts.
    if (load && !pods.simulated) checks.push(...load.load.checks.filter((check) => run.check.expect.outcome === "completes" || check.kind === "generator"));
  } else {
    // Interrupted (or stopped before the change): nothing to judge but where the Deployment was left.
    checks.push(templateCheck({ originalHash: input.originalHash, finalHash: input.finalHash, endsOnOriginalTemplate: input.endsOnOriginalTemplate }));
  }
  const verdict = aborted ? "aborted" : checks.some((check) => check.verdict === "fail" && check.kind !== "generator") ? "fail" : checks.some((check) => check.kind === "generator" && check.verdict === "fail") ? "invalid" : "pass";
  const series = journal.series(Math.max(input.endedAtMs, loadEndMs));
  const timeline = journal.timeline();
  const reportPhases = phases.map(phaseForReport);
  const journalFile = `${run.stepName}-rollout.json`;
  await writeFileAtomic(
    run.context.runDirectory.file(journalFile),
    JSON.stringify(
      {
        check: run.checkName,
        deployment: { namespace: run.check.namespace, name: run.check.deployment },
        change: run.check.change,
        strategy: strategyFacts(input.deployment),
        pods,
        originalHash: input.originalHash,
        changedHash: progress.changedHash ?? null,
        finalHash: input.finalHash,
        endsOnOriginalTemplate: input.endsOnOriginalTemplate,
        record,
        explanation: progress.explanation,
        phases: reportPhases,
        timeline,
        series,
      },
      null,
      2,
    ) + "\n",
  );
  return {
    name: run.stepName,
    kind: "rollout",
    startedAt: new Date(input.startedAtMs).toISOString(),
    finishedAt: new Date(input.endedAtMs).toISOString(),
    durationMs: Math.round(input.endedAtMs - input.startedAtMs),
    verdict,
    ...(aborted ? { error: "interrupted" } : {}),
    ...(load?.load.totals ? { totals: load.load.totals } : {}),
    ...(load?.load.endpoints ? { endpoints: load.load.endpoints } : {}),
    ...(load?.load.generator ? { generator: load.load.generator } : {}),
    ...(load?.load.scenario ? { scenario: load.load.scenario } : {}),
    ...(load?.load.profile ? { profile: load.load.profile } : {}),
    checks,
    phases: reportPhases,
    timeline,
    series,
    artifacts: { ...(load?.load.artifacts ?? {}), rollout: journalFile },
  };
}
