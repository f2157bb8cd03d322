import { audit } from "../../scripts/core/audit-log.ts";
import { realClock, type Clock } from "../../scripts/core/clock.ts";
import type { RunDirectory } from "../../scripts/core/run-directory.ts";
import { AvailabilityProbe } from "./availability-probe.ts";
import type { DrillDefinition } from "./definition.ts";
import { collectEvidence } from "./collect-evidence.ts";
import { writeEvidence, type DrillEvidence } from "./evidence.ts";
import { judge, type DrillFacts, type RecoveryLimits } from "./judge.ts";
import type { KindRunner } from "./kind-runner.ts";
import { backUp, destroy, emptyRecord, holdSteadyState, restore, setUp, tearDown, verify, type DrillHooks, type DrillSession } from "./phases.ts";
import { measureRpo, measureRto } from "./recovery-metrics.ts";
import { errorText } from "./sql.ts";
import { StepLog } from "./steps.ts";
import { WriteProbe } from "./write-probe.ts";

export type { DrillHookContext, DrillHooks } from "./phases.ts";

export interface RunDrillOptions {
  name: string;
  definition: DrillDefinition;
  environment: string;
  targets: RecoveryLimits;
  runner: KindRunner;
  directory: RunDirectory;
  clock?: Clock;
  log?: (line: string) => void;
  signal?: AbortSignal;
  hooks?: DrillHooks;
}

/**
 * Runs one drill end to end: setup, reference data, backup, steady state under the probes, disaster,
 * restore, verification, teardown; then judges what it measured. Always writes the full evidence,
 * whatever happened.
 */
export async function runDrill(options: RunDrillOptions): Promise<DrillEvidence> {
  const { definition, runner, directory } = options;
  const clock = options.clock ?? realClock;
  const signal = options.signal ?? new AbortController().signal;
  const plan = runner.plan();
  const started = clock.now();
  const sqlEndpoint = runner.sqlEndpoint;
  const session: DrillSession = {
    definition,
    runner,
    plan,
    steps: new StepLog({ environment: options.environment, runId: directory.runId, target: plan.where, clock, log: options.log ?? (() => undefined) }),
    clock,
    signal,
    sqlEndpoint,
    writeProbe: definition.writeProbe && sqlEndpoint ? new WriteProbe(sqlEndpoint, definition.writeProbe, directory.runId, clock) : null,
    availability: new AvailabilityProbe(definition.availabilityProbe, sqlEndpoint, clock),
    ...(options.hooks ? { hooks: options.hooks } : {}),
    record: emptyRecord(),
  };

  await audit({ action: "drill.start", target: plan.where, environment: options.environment, runId: directory.runId, result: "started", detail: options.name });
  let preparationError: string | undefined;
  try {
    await setUp(session);
    await backUp(session);
    await holdSteadyState(session);
  } catch (error) {
    preparationError = signal.aborted ? "interrupted before the disaster" : errorText(error);
  }
  if (preparationError === undefined) {
    await destroy(session);
    await restore(session);
    await verify(session);
  }
  await session.availability.stop();
  await session.writeProbe?.stop();
  const interrupted = signal.aborted;
  // Now that the store has run, the runner can say exactly where (its port, say).
  const where = runner.plan().where;
  await tearDown(session);

  const facts = recordedFacts(session, interrupted, preparationError);
  const judgement = judge(facts, options.targets);
  const finished = clock.now();
  const evidence = await collectEvidence({ name: options.name, environment: options.environment, targets: options.targets, runId: directory.runId }, session, facts, judgement, { started, finished, where });
  await writeEvidence(directory, evidence, { ledger: session.writeProbe?.ledger.entries ?? [], samples: session.availability.samples });
  await audit({
    action: "drill.finish",
    target: plan.where,
    environment: options.environment,
    runId: directory.runId,
    result: evidence.verdict === "pass" ? "succeeded" : "failed",
    detail: `${options.name}: ${evidence.verdict}; RTO ${evidence.rto.ms ?? "n/a"} ms; RPO ${evidence.rpo.ms ?? "n/a"} ms`,
  });
  return evidence;
}

/** The measurements the judgement rests on, taken from the probes' samples and the ledger. */
function recordedFacts(session: DrillSession, interrupted: boolean, preparationError: string | undefined): DrillFacts {
  const { record, writeProbe, definition } = session;
  const { disasterAt, comparison } = record;
  const rto = measureRto({
    disasterAt: disasterAt ?? Number.POSITIVE_INFINITY,
    recoveryFrom: record.disasterFinishedAt ?? Number.POSITIVE_INFINITY,
    samples: session.availability.samples,
    intervalMs: definition.availabilityProbe.intervalMs,
  });
  const firstWriteAt = writeProbe?.ledger.entries[0]?.sentAt ?? null;
  const rpo = comparison && disasterAt !== null && writeProbe ? measureRpo({ disasterAt, comparison, firstWriteAt, cadenceMs: writeProbe.config.intervalMs }) : null;
  return {
    interrupted,
    ...(preparationError !== undefined ? { preparationError } : {}),
    disasterStarted: disasterAt !== null,
    restoreSucceeded: record.restoreOk,
    rto,
    hasWriteProbe: writeProbe !== null,
    rpo,
    integrity: record.integrity,
  };
}
