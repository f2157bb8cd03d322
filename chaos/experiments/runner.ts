// One chaos experiment under load: sweep what a dead run left -> the hypothesis holds before -> load
// starts -> each fault: inject, confirm it took effect, observe (safety limit watching), remove,
// confirm recovery -> after -> verdict. Faults are removed on success, failure, exception and abort
// (SIGINT/SIGTERM reach us as context.abortSignal); the journal records every step as it happens.
import { AppsV1Api, CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import type { StepResult } from "../../scripts/core/step-result.ts";
import { waitFor, WaitTimeoutError } from "../../scripts/core/wait-for.ts";
import { writeFileAtomic } from "../../scripts/core/write-atomic.ts";
import { runLoadAlongside, type RunningLoad } from "../../scripts/kinds/load/load-alongside.ts";
import type { PreparedLoad } from "../../scripts/kinds/load/kind.ts";
import { phaseForReport } from "../../scripts/kinds/load/phases.ts";
import type { StepRunContext } from "../../scripts/kinds/step-kind.ts";
import { ChaosApi } from "../faults/index.ts";
import { checkReplacement, confirm, inject, podsBack, remove, type FaultActionContext, type FaultOutcome } from "./fault-actions.ts";
import { Journal } from "./journal.ts";
import { startMonitor, type RunningMonitor } from "./monitor.ts";
import { readAll, type ProbeEnvironment } from "./probes.ts";
import { runRollbacks } from "./rollbacks.ts";
import { safetyReading } from "./safety.ts";
import { sweepLeftovers } from "./sweep-leftovers.ts";
import { durationMs, faultPhaseName, type Experiment } from "./schema.ts";
import type { ProbeReading } from "./tolerance.ts";
import { experimentChecks, experimentPhases, faultMarks, groupName, type ExperimentFacts, type FaultGroup, type SafetyRecord } from "./verdict.ts";
import { abortableSleep } from "../../scripts/core/abortable-sleep.ts";

/** What the chaos kind prepared for its steps. */
export interface ChaosPrepared {
  load: PreparedLoad;
  kubeConfig?: KubeConfig;
  prometheusUrl?: string;
}

export interface ExperimentRequest {
  experimentName: string;
  experiment: Experiment;
  stepName: string;
  prepared: ChaosPrepared;
  context: StepRunContext;
}

/** How long the hypothesis may take to hold before the experiment (a fresh scrape, a settling Deployment). */
const preflightSettleMs = 5_000;

class ExperimentRun {
  readonly journal: Journal;
  readonly faults: FaultActionContext;
  readonly probeEnvironment: ProbeEnvironment;
  readonly experiment: Experiment;
  readonly signal: AbortSignal;
  /** Every fault put in (or being put in), for the cleanup that must happen whatever happens. */
  readonly active: FaultOutcome[] = [];
  readonly groups: FaultGroup[] = [];
  readonly skipped: string[] = [];
  readonly safety: SafetyRecord = {};
  readonly preflightReadings: ProbeReading[] = [];
  preflightStartMs = Date.now();
  rollbackFailures: string[] = [];
  private readonly api?: ChaosApi;
  private readonly apps?: AppsV1Api;

  constructor(private readonly request: ExperimentRequest) {
    const { context, prepared, experiment, experimentName } = request;
    this.experiment = experiment;
    this.signal = context.abortSignal;
    this.journal = new Journal(context.runDirectory.file(`${request.stepName}.journal.jsonl`), context.log);
    const kube = prepared.kubeConfig;
    const core = kube?.makeApiClient(CoreV1Api);
    this.apps = kube?.makeApiClient(AppsV1Api);
    this.api = kube ? new ChaosApi(kube) : undefined;
    this.faults = {
      experimentName,
      experiment,
      runId: context.runDirectory.runId,
      environmentName: context.environmentName,
      journal: this.journal,
      ...(this.api ? { api: this.api } : {}),
      ...(core ? { core } : {}),
      ...(prepared.load.demoTarget ? { demoTarget: prepared.load.demoTarget } : {}),
    };
    this.probeEnvironment = {
      target: experiment.target,
      baseUrl: prepared.load.baseUrl,
      ...(prepared.load.authorization ? { authorization: prepared.load.authorization } : {}),
      ...(core && this.apps ? { kube: { core, apps: this.apps } } : {}),
      ...(prepared.prometheusUrl ? { prometheusUrl: prepared.prometheusUrl } : {}),
    };
  }

  /** Managed objects in the target's namespace that a dead run left: removed before anything else. */
  async sweepLeftovers(): Promise<void> {
    if (!this.api) return;
    const { context } = this.request;
    await sweepLeftovers({ api: this.api, namespace: this.experiment.target.namespace, journal: this.journal, signal: this.signal, environmentName: context.environmentName, runId: context.runDirectory.runId });
  }

  /** The hypothesis before anything: every probe must hold (within a short settle time). */
  async hypothesisHoldsBefore(): Promise<boolean> {
    this.preflightStartMs = Date.now();
    let last: ProbeReading[] = [];
    try {
      await waitFor(
        async () => {
          last = await readAll(this.experiment.hypothesis.probes, this.probeEnvironment);
          return last.every((reading) => reading.holds);
        },
        { timeoutMs: preflightSettleMs, intervalMs: 500, signal: this.signal, description: "the steady-state hypothesis to hold before the experiment" },
      );
    } catch (error) {
      if (!(error instanceof WaitTimeoutError)) throw error;
    }
    this.preflightReadings.push(...last);
    const deviating = last.filter((reading) => !reading.holds);
    if (deviating.length === 0) {
      this.journal.record("hypothesis-held-before", last.map((reading) => `${reading.probe}: ${reading.detail}`).join("; "));
      return true;
    }
    this.journal.record("hypothesis-deviated-before", `${deviating.map((reading) => `${reading.probe}: ${reading.detail}`).join("; ")}; nothing injected`);
    return false;
  }

  /** Inject, confirm, observe, remove, recover: one group of faults (one fault, or all of them in parallel). */
  private async runGroup(entries: Experiment["method"]["faults"], firstIndex: number, running: RunningLoad, monitor: RunningMonitor): Promise<"continue" | "stop"> {
    const group: FaultGroup = [];
    this.groups.push(group);
    const name = entries.length === 1 ? entries[0]!.name : entries.map((entry) => entry.name).join("+");
    monitor.setPhase(faultPhaseName(name), "fault");
    for (const [offset, entry] of entries.entries()) {
      group.push(
        await inject(this.faults, entry, firstIndex + offset, (outcome) => {
          this.active.push(outcome);
        }),
      );
    }
    const deadline = durationMs(this.experiment.injectionDeadline);
    const confirmed = await Promise.all(group.map((outcome) => confirm(this.faults, outcome, deadline, this.signal)));
    if (!confirmed.every(Boolean)) {
      await this.removeGroup(group, "it never took effect");
      return "stop";
    }
    const plannedMs = Math.max(...entries.map((entry) => durationMs(entry.duration)));
    const startMs = Math.min(...group.map((outcome) => outcome.injectedAtMs!));
    const breach = await this.observe(group, startMs, plannedMs, running);
    await this.removeGroup(group, breach ? "safety limit" : "its duration ended");
    monitor.setPhase(`recovery from ${name}`, "recovery");
    await this.awaitRecovery(group, monitor);
    monitor.setPhase(`after ${name}`, "after");
    return breach ? "stop" : "continue";
  }

  /** Waits out the fault's duration, watching the safety limit (and, for pod-kill, the replacement). */
  private async observe(group: FaultGroup, startMs: number, plannedMs: number, running: RunningLoad): Promise<boolean> {
    const limit = { maxErrorRate: this.experiment.safety.maxErrorRate, windowMs: durationMs(this.experiment.safety.window), minRequests: this.experiment.safety.minRequests };
    const endMs = startMs + plannedMs;
    while (Date.now() < endMs) {
      await abortableSleep(Math.min(250, endMs - Date.now()), this.signal);
      const now = Date.now();
      const reading = safetyReading(running.live(), limit, startMs, now);
      if (reading.rate !== null && reading.requests >= limit.minRequests && (this.safety.highest?.rate ?? -1) < reading.rate) this.safety.highest = { ...reading, atMs: now };
      if (reading.breached) {
        const fault = faultPhaseName(groupName(group));
        this.safety.breach = { ...reading, atMs: now, fault, removedAfterMs: now - startMs, plannedMs };
        this.journal.record("safety-limit", `${Math.round(reading.rate! * 1000) / 10} % of ${reading.requests} requests in the last ${this.experiment.safety.window} failed during ${fault} (limit ${Math.round(limit.maxErrorRate * 1000) / 10} %): removing every fault now, ${((now - startMs) / 1000).toFixed(1)} s into ${(plannedMs / 1000).toFixed(1)} s`);
        return true;
      }
      for (const outcome of group) await checkReplacement(this.faults, outcome).catch(() => false);
    }
    return false;
  }

  private async removeGroup(group: FaultGroup, why: string): Promise<void> {
    await Promise.all(group.map((outcome) => remove(this.faults, outcome, why)));
  }

  /** From the removal until every probe holds again and the pods are back (pod-kill: the replacement Ready). */
  private async awaitRecovery(group: FaultGroup, monitor: RunningMonitor): Promise<void> {
    const limitMs = durationMs(this.experiment.expectations.recoveryTime);
    const removedAtMs = Math.max(...group.map((outcome) => outcome.removedAtMs ?? Date.now()));
    let last = "";
    const podProofs: string[] = [];
    try {
      const at = await waitFor(
        async () => {
          const round = await readAll(this.experiment.hypothesis.probes, this.probeEnvironment);
          monitor.add(round);
          const deviating = round.filter((reading) => !reading.holds);
          if (deviating.length > 0) {
            last = deviating.map((reading) => `${reading.probe}: ${reading.detail}`).join("; ");
            return false;
          }
          podProofs.length = 0;
          for (const outcome of group) {
            const pods = await podsBack(this.faults, outcome);
            if (!pods.proven) {
              last = pods.detail;
              return false;
            }
            if (pods.detail) podProofs.push(pods.detail);
          }
          return Math.max(...round.map((reading) => reading.atMs));
        },
        { timeoutMs: Math.max(0, removedAtMs + limitMs - Date.now()), intervalMs: 250, signal: this.signal, description: "the hypothesis to hold again" },
      );
      for (const outcome of group) outcome.recoveredAtMs = at;
      const replaced = group.find((outcome) => outcome.replacedAtMs !== undefined);
      const detail = `hypothesis holds again ${((at - removedAtMs) / 1000).toFixed(1)} s after the removal${replaced?.confirmation ? `; replacement pod Ready ${((replaced.replacedAtMs! - replaced.confirmation.atMs) / 1000).toFixed(1)} s after the kill` : ""}${podProofs.length ? `; pods: ${podProofs.join("; ")}` : ""}`;
      for (const outcome of group) outcome.recoveryDetail = detail;
      this.journal.record("recovered", `${groupName(group)}: ${detail}`, undefined, new Date(at));
    } catch (error) {
      if (!(error instanceof WaitTimeoutError)) throw error;
      for (const outcome of group) outcome.recoveryDetail = last;
      this.journal.record("not-recovered", `${groupName(group)}: not back within ${this.experiment.expectations.recoveryTime} of the removal: ${last}`);
    }
  }

  /** The method under the running load; every fault is out when this settles, whatever happened. */
  async method(running: RunningLoad): Promise<void> {
    this.journal.record("load-started", `${this.experiment.load.scenario} (${this.experiment.load.profile})`, undefined, new Date(running.startedAtMs));
    const monitor = startMonitor(this.experiment.hypothesis.probes, this.probeEnvironment, durationMs(this.experiment.hypothesis.interval), this.journal);
    try {
      await abortableSleep(durationMs(this.experiment.method.before), this.signal);
      const { faults, parallel } = this.experiment.method;
      const batches = parallel ? [faults] : faults.map((entry) => [entry]);
      let index = 0;
      for (const [position, batch] of batches.entries()) {
        const next = await this.runGroup(batch, index, running, monitor);
        index += batch.length;
        if (next === "stop") {
          this.skipped.push(...batches.slice(position + 1).flat().map((entry) => entry.name));
          if (this.skipped.length) this.journal.record("faults-skipped", this.skipped.join(", "));
          break;
        }
      }
      await abortableSleep(durationMs(this.experiment.method.after), this.signal);
    } finally {
      await this.cleanUp(this.signal.aborted ? "aborted" : "end of the experiment");
      await monitor.stop();
      this.readings = [...this.preflightReadings, ...monitor.readings()];
    }
  }

  readings: ProbeReading[] = [];

  /** Every fault out, then the rollbacks. Never throws: what fails is journaled and judged. */
  async cleanUp(why: string): Promise<void> {
    for (const outcome of this.active) {
      await remove(this.faults, outcome, why).catch((error: unknown) => {
        outcome.removal = `${outcome.label} still there: removal failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
        this.journal.record("fault-removed", `${outcome.entry.name}: ${outcome.removal}`);
      });
    }
    if (this.rollbacksDone) return;
    this.rollbacksDone = true;
    this.rollbackFailures = await runRollbacks(this.experiment.rollbacks, {
      namespace: this.experiment.target.namespace,
      ...(this.apps ? { apps: this.apps } : {}),
      ...(this.request.prepared.load.demoTarget ? { demoTarget: this.request.prepared.load.demoTarget } : {}),
      journal: this.journal,
      environmentName: this.request.context.environmentName,
      runId: this.request.context.runDirectory.runId,
    });
  }

  private rollbacksDone = false;
}

function verdictOf(checks: StepResult["checks"]): StepResult["verdict"] {
  if (checks.some((check) => check.kind !== "generator" && check.verdict !== "pass")) return "fail";
  if (checks.some((check) => check.kind === "generator" && check.verdict !== "pass")) return "invalid";
  return "pass";
}

/** Runs the experiment; the result carries checks, phases, the timeline and the journal (never throws for a verdict). */
export async function runExperiment(request: ExperimentRequest): Promise<StepResult> {
  const { context, experiment, stepName } = request;
  const startedAt = new Date();
  const run = new ExperimentRun(request);
  const journalFile = `${stepName}.journal.jsonl`;
  const base = (): Pick<StepResult, "name" | "kind" | "startedAt" | "finishedAt" | "durationMs" | "scenario" | "profile"> => ({
    name: stepName,
    kind: "chaos",
    scenario: experiment.load.scenario,
    profile: experiment.load.profile,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
  });
  run.journal.record("experiment-started", `${request.experimentName}: ${experiment.title} (environment ${context.environmentName}, run ${context.runDirectory.runId})`);
  try {
    await run.sweepLeftovers();
    if (!(await run.hypothesisHoldsBefore())) {
      const facts: ExperimentFacts = { experiment, groups: [], skipped: [], preflightStartMs: run.preflightStartMs, readings: run.preflightReadings, load: { startedAtMs: 0, endedAtMs: 0, requests: emptyRequests() }, safety: {}, rollbackFailures: [] };
      const checks = experimentChecks(facts, []).filter((check) => check.kind === "hypothesis").map((check) => (check.verdict === "pass" ? check : { ...check, reason: `did not hold before the experiment, so nothing was injected: ${check.reason}` }));
      run.journal.record("experiment-ended", "fail: the hypothesis did not hold before the experiment");
      return { ...base(), verdict: "fail", checks, timeline: run.journal.timeline(), artifacts: { journal: journalFile } };
    }
    const loaded = await runLoadAlongside(stepName, experiment.load, request.prepared.load, context, (running) => run.method(running));
    run.journal.record("load-ended", `${loaded.load.totals?.requests ?? 0} requests`, undefined, new Date(loaded.endedAtMs));
    const facts: ExperimentFacts = {
      experiment,
      groups: run.groups,
      skipped: run.skipped,
      preflightStartMs: run.preflightStartMs,
      readings: run.readings,
      load: { startedAtMs: loaded.startedAtMs, endedAtMs: loaded.endedAtMs, requests: loaded.requests },
      safety: run.safety,
      rollbackFailures: run.rollbackFailures,
    };
    const phases = experimentPhases(facts);
    const checks = [...experimentChecks(facts, phases), ...loaded.load.checks.filter((check) => check.kind === "generator")];
    const reportPhases = phases.map(phaseForReport);
    const shaded = faultMarks(facts).map((mark) => ({ name: mark.name, kind: mark.kind === "fault" ? "fault" : "recovery", start: new Date(mark.startMs).toISOString(), end: new Date(mark.endMs).toISOString(), step: stepName }));
    await writeFileAtomic(context.runDirectory.file("phases.json"), JSON.stringify(shaded, null, 2) + "\n");
    const verdict = verdictOf(checks);
    run.journal.record("experiment-ended", `${verdict}: ${checks.filter((check) => check.verdict !== "pass").map((check) => check.name).join(", ") || "every check passed"}`);
    return {
      ...base(),
      verdict,
      ...(loaded.load.totals ? { totals: loaded.load.totals } : {}),
      ...(loaded.load.endpoints ? { endpoints: loaded.load.endpoints } : {}),
      ...(loaded.load.generator ? { generator: loaded.load.generator } : {}),
      ...(loaded.load.plannedDurationMs !== undefined ? { plannedDurationMs: loaded.load.plannedDurationMs } : {}),
      checks,
      phases: reportPhases,
      timeline: run.journal.timeline(),
      artifacts: { ...loaded.load.artifacts, journal: journalFile, phases: "phases.json" },
    };
  } catch (error) {
    await run.cleanUp(context.abortSignal.aborted ? "aborted" : "error");
    const aborted = context.abortSignal.aborted;
    const message = aborted ? `interrupted (${String(context.abortSignal.reason)}); every fault removed` : error instanceof Error ? error.message : String(error);
    run.journal.record(aborted ? "aborted" : "experiment-error", message);
    return { ...base(), verdict: aborted ? "aborted" : "error", error: message, checks: [], timeline: run.journal.timeline(), artifacts: { journal: journalFile } };
  }
}

function emptyRequests() {
  const column = () => ({ count: 0, timeMs: new Float64Array(0), value: new Float64Array(0), endpointIndex: new Int32Array(0) });
  return { endpoints: [], durations: column(), failures: column(), dropped: 0 };
}
