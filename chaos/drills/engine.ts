import { hostname, userInfo } from "node:os";
import { readFileSync } from "node:fs";
import { audit } from "../../scripts/core/audit-log.ts";
import { exec } from "../../scripts/core/exec.ts";
import { repoPath } from "../../scripts/core/repo-root.ts";
import type { Check, Verdict } from "../../reports/summary-schema.ts";
import type { RunDirectory } from "../../scripts/core/run-directory.ts";
import { AvailabilityProbe } from "./availability-probe.ts";
import { isoTime, realClock, type Clock } from "../../scripts/core/clock.ts";
import { durationMs, type DrillDefinition } from "./definition.ts";
import type { DrillEvidence } from "./evidence.ts";
import { writeEvidence } from "./evidence.ts";
import { ledgerChecks, referenceChecks, type IntegrityCheck } from "./integrity.ts";
import type { KindRunner } from "./kind-runner.ts";
import { compareLedger, formatMs, judgeAgainstTarget, measureRpo, measureRto, type LedgerComparison, type ProbeSample } from "./recovery-metrics.ts";
import { fingerprintReferenceData, loadReferenceData, type ReferenceFingerprint } from "./reference-data.ts";
import { errorText, sleep, type SqlEndpoint } from "./sql.ts";
import { StepLog } from "./steps.ts";
import { WriteProbe } from "./write-probe.ts";

export interface DrillHookContext {
  writeProbe: WriteProbe | null;
  runner: KindRunner;
  clock: Clock;
}

/** Library callers (and the ground-truth test) may act between the steady state and the disaster. */
export interface DrillHooks {
  beforeDisaster?(context: DrillHookContext): Promise<void>;
}

export interface RunDrillOptions {
  name: string;
  definition: DrillDefinition;
  environment: string;
  targets: { rtoMs: number; rpoMs: number };
  runner: KindRunner;
  directory: RunDirectory;
  clock?: Clock;
  log?: (line: string) => void;
  signal?: AbortSignal;
  hooks?: DrillHooks;
}

export const abortedExitCode = 130;

function requireEndpoint(endpoint: SqlEndpoint): string {
  const target = endpoint();
  if (target === null) throw new Error("the data store is not running");
  return target;
}

/**
 * Runs one drill end to end: setup, reference data, backup, steady state under the probes, disaster,
 * restore, verification, teardown. Always writes the full evidence, whatever happened.
 */
export async function runDrill(options: RunDrillOptions): Promise<DrillEvidence> {
  const { definition, runner, directory, targets } = options;
  const clock = options.clock ?? realClock;
  const log = options.log ?? (() => undefined);
  const signal = options.signal ?? new AbortController().signal;
  const plan = runner.plan();
  const started = clock.now();
  const steps = new StepLog({ environment: options.environment, runId: directory.runId, target: plan.where, clock, log });
  const sqlEndpoint = runner.sqlEndpoint;
  const writeProbe = definition.writeProbe && sqlEndpoint ? new WriteProbe(sqlEndpoint, definition.writeProbe, directory.runId, clock) : null;
  const availability = new AvailabilityProbe(definition.availabilityProbe, sqlEndpoint, clock);
  const restoreTimeoutMs = durationMs(definition.restoreTimeout);

  let expectedReference: ReferenceFingerprint | null = null;
  let disasterAt: number | null = null;
  let disasterFinishedAt: number | null = null;
  let restoreStartedAt: number | null = null;
  let restoreFinishedAt: number | null = null;
  let restoreOk = false;
  let preparationError: string | undefined;
  const integrity: IntegrityCheck[] = [];
  let comparison: LedgerComparison | null = null;

  const throwIfAborted = () => {
    if (signal.aborted) throw new Error("interrupted");
  };

  await audit({ action: "drill.start", target: plan.where, environment: options.environment, runId: directory.runId, result: "started", detail: options.name });
  try {
    await steps.run("setup", plan.setup.join("; "), {}, (output) => runner.setup(output));
    throwIfAborted();
    if (definition.reference && sqlEndpoint) {
      const reference = definition.reference;
      expectedReference = await steps.run("load-reference-data", `load ${reference.rows} reference rows into ${reference.table} and fingerprint them`, {}, async (output) => {
        const fingerprint = await loadReferenceData(requireEndpoint(sqlEndpoint), reference);
        output.append(`rows ${fingerprint.rows}, checksum ${fingerprint.checksum}`);
        return fingerprint;
      });
    }
    if (writeProbe) await steps.run("prepare-write-probe", `create the ledger table ${writeProbe.config.table}`, {}, () => writeProbe.prepare());
    if (runner.backup && plan.backup) await steps.run("backup", plan.backup, {}, (output) => runner.backup!(output));
    throwIfAborted();

    const warmupMs = durationMs(definition.warmup);
    await steps.run(
      "steady-state",
      `${writeProbe ? `write every ${writeProbe.config.intervalMs} ms and ` : ""}check availability every ${definition.availabilityProbe.intervalMs} ms for ${warmupMs} ms`,
      {},
      async (output, steadyFrom) => {
        writeProbe?.start();
        availability.start();
        await sleep(warmupMs, signal);
        throwIfAborted();
        // A service that is not healthy before the disaster proves nothing about its recovery.
        const healthy = await availability.firstSuccessSince(steadyFrom, clock.now() + 2 * definition.availabilityProbe.intervalMs + definition.availabilityProbe.timeoutMs, signal);
        if (!healthy) throw new Error(`the availability probe never succeeded before the disaster (last: ${availability.samples.at(-1)?.detail ?? "no check completed"})`);
        output.append(`availability: ${availability.samples.filter((sample) => sample.ok).length} of ${availability.samples.length} checks succeeded`);
        if (writeProbe) {
          const acknowledged = writeProbe.ledger.acknowledged().length;
          if (acknowledged === 0) throw new Error(`no write was acknowledged before the disaster (last: ${writeProbe.ledger.entries.at(-1)?.error ?? "no attempt"})`);
          output.append(`writes: ${acknowledged} of ${writeProbe.ledger.entries.length} acknowledged`);
        }
      },
    );
    if (options.hooks?.beforeDisaster) await options.hooks.beforeDisaster({ writeProbe, runner, clock });
    throwIfAborted();
    // The ledger is closed before the disaster: RPO counts writes acknowledged up to the disaster, no later.
    await writeProbe?.stop();
  } catch (error) {
    preparationError = signal.aborted ? "interrupted before the disaster" : errorText(error);
  }

  let interrupted = signal.aborted;
  let firstSuccess: ProbeSample | null = null;
  if (preparationError === undefined) {
    try {
      await steps.run("disaster", plan.disaster, { destructive: true }, async (output, at) => {
        disasterAt = at;
        await runner.disaster(output);
      });
    } catch {
      // Whatever the disaster left behind, the restore below is still attempted and judged.
    }
    disasterFinishedAt = clock.now();
    try {
      const restoreSignal = AbortSignal.any([signal, AbortSignal.timeout(restoreTimeoutMs)]);
      await steps.run("restore", plan.restore, {}, async (output, at) => {
        restoreStartedAt = at;
        await runner.restore(output, restoreSignal);
      });
      restoreOk = true;
    } catch {
      restoreOk = false;
    }
    restoreFinishedAt = clock.now();
    if (restoreOk && disasterAt !== null) {
      const since = disasterFinishedAt;
      const deadline = disasterAt + restoreTimeoutMs;
      firstSuccess = await steps
        .run("wait-for-service", "wait for the first successful availability check begun after the disaster", {}, async (output) => {
          const sample = await availability.firstSuccessSince(since, deadline, signal);
          if (!sample) throw new Error(`no successful availability check within the restore timeout (last: ${availability.samples.at(-1)?.detail ?? "no check completed"})`);
          output.append(`first success at ${isoTime(sample.at)}${sample.detail ? `: ${sample.detail}` : ""}`);
          return sample;
        })
        .catch(() => null);
    }
    await availability.stop();
    if (sqlEndpoint && (expectedReference || writeProbe)) {
      await steps
        .run("verify", "compare the reference data and the write ledger with what survived", {}, async (output) => {
          if (expectedReference && definition.reference) {
            const reference = definition.reference;
            try {
              if (!restoreOk) throw new Error("the restore failed");
              const observed = await fingerprintReferenceData(requireEndpoint(sqlEndpoint), reference);
              integrity.push(...referenceChecks(expectedReference, observed));
              output.append(`reference: rows ${observed.rows}, checksum ${observed.checksum}`);
            } catch (error) {
              integrity.push(...referenceChecks(expectedReference, null, errorText(error)));
            }
          }
          if (writeProbe) {
            try {
              if (!restoreOk) throw new Error("the restore failed");
              comparison = compareLedger(writeProbe.ledger.entries, await writeProbe.survivors());
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
  }
  await availability.stop();
  await writeProbe?.stop();
  interrupted ||= signal.aborted;
  // Now that the store has run, the runner can say exactly where (its port, say).
  const where = runner.plan().where;

  try {
    await steps.run("teardown", plan.teardown.join("; ") || "nothing to remove", {}, (output) => runner.teardown(output));
  } catch {
    // Recorded in the steps; a failed cleanup does not change what the drill measured.
  }

  const rto = measureRto({ disasterAt: disasterAt ?? Number.POSITIVE_INFINITY, recoveryFrom: disasterFinishedAt ?? Number.POSITIVE_INFINITY, samples: availability.samples, intervalMs: definition.availabilityProbe.intervalMs });
  const dataVerified = integrity.every((check) => check.verdict === "pass");
  const rtoVerdict = !restoreOk
    ? { verdict: "fail" as const, reason: "RTO not measured: the restore failed" }
    : !dataVerified
      ? { verdict: "fail" as const, reason: "RTO not reached: the service answered but its data did not pass the integrity checks" }
      : judgeAgainstTarget("RTO", rto?.ms ?? null, targets.rtoMs, "no successful availability check after the disaster");
  const firstWriteAt = writeProbe?.ledger.entries[0]?.sentAt ?? null;
  const rpo =
    comparison && disasterAt !== null && writeProbe ? measureRpo({ disasterAt, comparison, firstWriteAt, cadenceMs: writeProbe.config.intervalMs }) : null;
  const rpoVerdict = !writeProbe
    ? { verdict: "no-data" as const, reason: "RPO not measured: the drill has no write probe" }
    : judgeAgainstTarget("RPO", rpo?.ms ?? null, targets.rpoMs, restoreOk ? "the ledger could not be compared" : "the restore failed");
  const finalComparison = comparison as LedgerComparison | null;

  const checks: Check[] = [];
  if (disasterAt !== null) {
    checks.push({ name: "restore completed", kind: "drill", observed: restoreOk ? 1 : 0, limit: 1, unit: "count", verdict: restoreOk ? "pass" : "fail", reason: restoreOk ? "the restore step succeeded" : "the restore step failed" });
    checks.push({ name: `RTO < ${formatMs(targets.rtoMs)}`, kind: "drill", observed: rto && restoreOk ? rto.ms / 1000 : null, limit: targets.rtoMs / 1000, unit: "s", verdict: rtoVerdict.verdict, reason: rtoVerdict.reason });
    if (writeProbe) checks.push({ name: `RPO < ${formatMs(targets.rpoMs)}`, kind: "drill", observed: rpo ? rpo.ms / 1000 : null, limit: targets.rpoMs / 1000, unit: "s", verdict: rpoVerdict.verdict, reason: rpoVerdict.reason });
    for (const check of integrity) {
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
  }

  let verdict: Verdict;
  let exitCode: number;
  if (interrupted) [verdict, exitCode] = ["aborted", abortedExitCode];
  else if (preparationError !== undefined) [verdict, exitCode] = ["error", 3];
  else if (checks.some((check) => check.verdict === "fail")) [verdict, exitCode] = ["fail", 1];
  else [verdict, exitCode] = ["pass", 0];

  const finished = clock.now();
  const evidence: DrillEvidence = {
    evidenceVersion: 1,
    runId: directory.runId,
    drill: options.name,
    kind: definition.kind,
    description: definition.description,
    who: process.env.BULWARK_OPERATOR ?? `${userInfo().username}@${hostname()}`,
    where: { environment: options.environment, host: hostname(), target: where },
    startedAt: isoTime(started),
    finishedAt: isoTime(finished),
    durationMs: Math.round(finished - started),
    gitCommit: await gitCommit(),
    versions: { bulwark: bulwarkVersion(), node: process.version, ...(await runner.versions()) },
    targets,
    timeline: {
      disasterAt: disasterAt === null ? null : isoTime(disasterAt),
      disasterFinishedAt: disasterFinishedAt === null ? null : isoTime(disasterFinishedAt),
      restoreStartedAt: restoreStartedAt === null ? null : isoTime(restoreStartedAt),
      restoreFinishedAt: restoreFinishedAt === null ? null : isoTime(restoreFinishedAt),
      firstSuccessAt: firstSuccess ? isoTime((firstSuccess as ProbeSample).at) : null,
    },
    rto: { ms: rto && restoreOk ? Math.round(rto.ms) : null, targetMs: targets.rtoMs, precisionMs: definition.availabilityProbe.intervalMs, ...rtoVerdict },
    rpo: {
      ms: rpo ? Math.round(rpo.ms) : null,
      targetMs: targets.rpoMs,
      precisionMs: writeProbe?.config.intervalMs ?? null,
      lowerBound: rpo?.lowerBound ?? false,
      ...rpoVerdict,
      acknowledgedWrites: writeProbe?.ledger.acknowledged().length ?? 0,
      survivingWrites: finalComparison?.survived ?? 0,
      newestSurvivingSeq: finalComparison?.newestSurvivingSeq ?? null,
      lostSeqs: finalComparison?.lostSeqs ?? [],
      unacknowledgedSurvivors: finalComparison?.unacknowledgedSurvivors ?? [],
    },
    integrity,
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
    steps: steps.records,
    checks,
    verdict,
    exitCode,
    ...(preparationError !== undefined ? { error: preparationError } : interrupted ? { error: "interrupted" } : {}),
    artifacts: { evidence: "drill.json", report: "drill.md", summary: "summary.json", ledger: "ledger.jsonl", availability: "availability.jsonl" },
  };
  await writeEvidence(directory, evidence, { ledger: writeProbe?.ledger.entries ?? [], samples: availability.samples });
  await audit({
    action: "drill.finish",
    target: plan.where,
    environment: options.environment,
    runId: directory.runId,
    result: verdict === "pass" ? "succeeded" : "failed",
    detail: `${options.name}: ${verdict}; RTO ${evidence.rto.ms ?? "n/a"} ms; RPO ${evidence.rpo.ms ?? "n/a"} ms`,
  });
  return evidence;
}

function bulwarkVersion(): string {
  try {
    return (JSON.parse(readFileSync(repoPath("package.json"), "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}

async function gitCommit(): Promise<string | null> {
  try {
    const result = await exec("git", ["rev-parse", "HEAD"], { cwd: repoPath() });
    return result.code === 0 ? result.stdout.trim() : null;
  } catch {
    return null;
  }
}
