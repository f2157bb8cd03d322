import { isoTime, type Clock } from "../../scripts/core/clock.ts";
import type { AvailabilityProbe } from "./availability-probe.ts";
import { durationMs, type DrillDefinition } from "./definition.ts";
import { ledgerChecks, referenceChecks, type IntegrityCheck } from "./integrity.ts";
import type { KindPlan, KindRunner } from "./kind-runner.ts";
import { compareLedger, type LedgerComparison, type ProbeSample } from "./recovery-metrics.ts";
import { fingerprintReferenceData, loadReferenceData, type ReferenceFingerprint } from "./reference-data.ts";
import { errorText, sleep, type SqlEndpoint } from "./sql.ts";
import type { StepLog } from "./steps.ts";
import type { WriteProbe } from "./write-probe.ts";

export interface DrillHookContext {
  writeProbe: WriteProbe | null;
  runner: KindRunner;
  clock: Clock;
}

/** Library callers (and the ground-truth test) may act between the steady state and the disaster. */
export interface DrillHooks {
  beforeDisaster?(context: DrillHookContext): Promise<void>;
}

/** What the phases share: the drill, its runner and probes, and the step log every phase writes to. */
export interface DrillSession {
  definition: DrillDefinition;
  runner: KindRunner;
  plan: KindPlan;
  steps: StepLog;
  clock: Clock;
  signal: AbortSignal;
  sqlEndpoint: SqlEndpoint | null;
  writeProbe: WriteProbe | null;
  availability: AvailabilityProbe;
  hooks?: DrillHooks;
  /** What happened, filled in phase by phase. */
  record: DrillRecord;
}

export interface DrillRecord {
  expectedReference: ReferenceFingerprint | null;
  disasterAt: number | null;
  disasterFinishedAt: number | null;
  restoreStartedAt: number | null;
  restoreFinishedAt: number | null;
  restoreOk: boolean;
  firstSuccess: ProbeSample | null;
  integrity: IntegrityCheck[];
  comparison: LedgerComparison | null;
}

export const emptyRecord = (): DrillRecord => ({
  expectedReference: null,
  disasterAt: null,
  disasterFinishedAt: null,
  restoreStartedAt: null,
  restoreFinishedAt: null,
  restoreOk: false,
  firstSuccess: null,
  integrity: [],
  comparison: null,
});

function requireEndpoint(endpoint: SqlEndpoint): string {
  const target = endpoint();
  if (target === null) throw new Error("the data store is not running");
  return target;
}

function throwIfAborted(session: DrillSession): void {
  if (session.signal.aborted) throw new Error("interrupted");
}

const lastAvailability = (session: DrillSession): string => session.availability.samples.at(-1)?.detail ?? "no check completed";

/** Stands the data store or service up, loads and fingerprints the reference data, creates the ledger table. */
export async function setUp(session: DrillSession): Promise<void> {
  const { steps, runner, plan, definition, sqlEndpoint, writeProbe, record } = session;
  await steps.run("setup", plan.setup.join("; "), {}, (output) => runner.setup(output));
  throwIfAborted(session);
  if (definition.reference && sqlEndpoint) {
    const reference = definition.reference;
    record.expectedReference = await steps.run("load-reference-data", `load ${reference.rows} reference rows into ${reference.table} and fingerprint them`, {}, async (output) => {
      const fingerprint = await loadReferenceData(requireEndpoint(sqlEndpoint), reference);
      output.append(`rows ${fingerprint.rows}, checksum ${fingerprint.checksum}`);
      return fingerprint;
    });
  }
  if (writeProbe) await steps.run("prepare-write-probe", `create the ledger table ${writeProbe.config.table}`, {}, () => writeProbe.prepare());
}

/** Takes the backup the restore will use, when the kind has one. */
export async function backUp(session: DrillSession): Promise<void> {
  const { runner, plan, steps } = session;
  if (runner.backup && plan.backup) await steps.run("backup", plan.backup, {}, (output) => runner.backup!(output));
  throwIfAborted(session);
}

/**
 * Starts the probes and proves the service healthy and writable before the disaster; then runs the
 * beforeDisaster hook and closes the ledger.
 */
export async function holdSteadyState(session: DrillSession): Promise<void> {
  const { definition, steps, writeProbe, availability, clock, signal } = session;
  const warmupMs = durationMs(definition.warmup);
  await steps.run(
    "steady-state",
    `${writeProbe ? `write every ${writeProbe.config.intervalMs} ms and ` : ""}check availability every ${definition.availabilityProbe.intervalMs} ms for ${warmupMs} ms`,
    {},
    async (output, steadyFrom) => {
      writeProbe?.start();
      availability.start();
      await sleep(warmupMs, signal);
      throwIfAborted(session);
      // A service that is not healthy before the disaster proves nothing about its recovery.
      const healthy = await availability.firstSuccessSince(steadyFrom, clock.now() + 2 * definition.availabilityProbe.intervalMs + definition.availabilityProbe.timeoutMs, signal);
      if (!healthy) throw new Error(`the availability probe never succeeded before the disaster (last: ${lastAvailability(session)})`);
      output.append(`availability: ${availability.samples.filter((sample) => sample.ok).length} of ${availability.samples.length} checks succeeded`);
      if (writeProbe) {
        const acknowledged = writeProbe.ledger.acknowledged().length;
        if (acknowledged === 0) throw new Error(`no write was acknowledged before the disaster (last: ${writeProbe.ledger.entries.at(-1)?.error ?? "no attempt"})`);
        output.append(`writes: ${acknowledged} of ${writeProbe.ledger.entries.length} acknowledged`);
      }
    },
  );
  if (session.hooks?.beforeDisaster) await session.hooks.beforeDisaster({ writeProbe, runner: session.runner, clock });
  throwIfAborted(session);
  // The ledger is closed before the disaster: RPO counts writes acknowledged up to the disaster, no later.
  await writeProbe?.stop();
}

/** The destructive step. Whatever it left behind, the restore is still attempted and judged. */
export async function destroy(session: DrillSession): Promise<void> {
  const { steps, plan, runner, record } = session;
  try {
    await steps.run("disaster", plan.disaster, { destructive: true }, async (output, at) => {
      record.disasterAt = at;
      await runner.disaster(output);
    });
  } catch {
    // Recorded in the steps.
  }
  record.disasterFinishedAt = session.clock.now();
}

/** Runs the kind's restore (within the restore timeout), then waits for the first successful availability check. */
export async function restore(session: DrillSession): Promise<void> {
  const { steps, plan, runner, record, definition, signal, availability } = session;
  const restoreTimeoutMs = durationMs(definition.restoreTimeout);
  try {
    const restoreSignal = AbortSignal.any([signal, AbortSignal.timeout(restoreTimeoutMs)]);
    await steps.run("restore", plan.restore, {}, async (output, at) => {
      record.restoreStartedAt = at;
      await runner.restore(output, restoreSignal);
    });
    record.restoreOk = true;
  } catch {
    record.restoreOk = false;
  }
  record.restoreFinishedAt = session.clock.now();
  if (!record.restoreOk || record.disasterAt === null) return;
  const since = record.disasterFinishedAt ?? record.restoreFinishedAt;
  const deadline = record.disasterAt + restoreTimeoutMs;
  record.firstSuccess = await steps
    .run("wait-for-service", "wait for the first successful availability check begun after the disaster", {}, async (output) => {
      const sample = await availability.firstSuccessSince(since, deadline, signal);
      if (!sample) throw new Error(`no successful availability check within the restore timeout (last: ${lastAvailability(session)})`);
      output.append(`first success at ${isoTime(sample.at)}${sample.detail ? `: ${sample.detail}` : ""}`);
      return sample;
    })
    .catch(() => null);
}

/** Compares the reference data and the write ledger with what survived the restore. */
export async function verify(session: DrillSession): Promise<void> {
  const { steps, sqlEndpoint, writeProbe, definition, record } = session;
  await session.availability.stop();
  if (!sqlEndpoint || !(record.expectedReference || writeProbe)) return;
  await steps
    .run("verify", "compare the reference data and the write ledger with what survived", {}, async (output) => {
      const { integrity } = record;
      if (record.expectedReference && definition.reference) {
        try {
          if (!record.restoreOk) throw new Error("the restore failed");
          const observed = await fingerprintReferenceData(requireEndpoint(sqlEndpoint), definition.reference);
          integrity.push(...referenceChecks(record.expectedReference, observed));
          output.append(`reference: rows ${observed.rows}, checksum ${observed.checksum}`);
        } catch (error) {
          integrity.push(...referenceChecks(record.expectedReference, null, errorText(error)));
        }
      }
      if (writeProbe) {
        try {
          if (!record.restoreOk) throw new Error("the restore failed");
          const comparison = compareLedger(writeProbe.ledger.entries, await writeProbe.survivors());
          record.comparison = comparison;
          integrity.push(...ledgerChecks(comparison));
          output.append(`ledger: ${comparison.survived} of ${comparison.acknowledged} acknowledged writes survived, ${comparison.lostSeqs.length} lost`);
        } catch (error) {
          integrity.push(...ledgerChecks(null, errorText(error)));
        }
      }
      const failed = integrity.filter((check) => check.verdict === "fail");
      if (failed.length > 0) throw new Error([...new Set(failed.map((check) => check.reason))].join("; "));
    })
    .catch(() => undefined);
}

/** Removes what the drill started. A failed cleanup is recorded in the steps; it does not change what was measured. */
export async function tearDown(session: DrillSession): Promise<void> {
  const { steps, plan, runner } = session;
  try {
    await steps.run("teardown", plan.teardown.join("; ") || "nothing to remove", {}, (output) => runner.teardown(output));
  } catch {
    // Recorded in the steps.
  }
}
