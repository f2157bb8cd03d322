// A chaos experiment of the project (experiments / experimentsDir) as an alert check's trigger. Its
// guardrails are the chaos kind's own (checked before anything starts); its faults go in and out
// through the chaos runner's fault actions (a Chaos Mesh object created, proven from its status and the
// pods, deleted until gone; or the demo target's fault switch); a leftover of a dead run is swept first.
// The fault window is the instants bulwark records: the first fault applied, the last one removed. Each
// fault stays in until the alert check is done with it or its own duration ends, whichever is first;
// the rollbacks run after. Loaded only when an alert check has a chaos trigger (it loads the
// Kubernetes client).
import { AppsV1Api, CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { UsageError } from "../../core/errors.ts";
import type { Check, TimelineEvent } from "../../core/step-result.ts";
import type { RunContext, StartedTarget, StepRunContext } from "../step-kind.ts";
import { confirm, describeFault, inject, remove, type FaultActionContext, type FaultOutcome } from "../../../chaos/experiments/fault-actions.ts";
import { chaosFaults, demoFaults, needsCluster } from "../../../chaos/experiments/guardrails.ts";
import { Journal } from "../../../chaos/experiments/journal.ts";
import { checkExperiment, experimentOf } from "../../../chaos/experiments/kind.ts";
import { runRollbacks } from "../../../chaos/experiments/rollbacks.ts";
import { durationMs, type Experiment } from "../../../chaos/experiments/schema.ts";
import { sweepLeftovers } from "../../../chaos/experiments/sweep-leftovers.ts";
import { cleanupCheck, injectionChecks } from "../../../chaos/experiments/verdict.ts";
import { ChaosApi } from "../../../chaos/faults/index.ts";
import type { FaultTrigger } from "./trigger.ts";

/**
 * Before anything starts (exit 2): the experiment exists, its faults form one window (one fault, or
 * parallel ones), and every guardrail of the chaos kind holds: chaos allowed, production confirmed,
 * namespaces allow-listed, the blast radius, the cluster's server-side dry run of every manifest.
 */
export async function checkChaosTrigger(experimentName: string, field: string, context: RunContext): Promise<void> {
  try {
    const { experiment } = experimentOf(context.config, experimentName);
    if (experiment.method.faults.length > 1 && !experiment.method.parallel) {
      throw new UsageError(
        `experiment '${experimentName}' has ${experiment.method.faults.length} faults in sequence; an alert trigger puts an experiment's faults in together (one fault window): use one fault, or method.parallel: true; nothing was injected`,
      );
    }
    await checkExperiment(context, experimentName, { withoutLoad: true });
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${field}: ${error.message}`);
    throw error;
  }
}

/** What the trigger needs from the cluster, made ready before the load starts (exit 3 when unreachable or without Chaos Mesh). */
export interface ChaosTriggerSetup {
  kubeConfig?: KubeConfig;
}

export async function prepareChaosTrigger(experimentName: string, context: RunContext): Promise<ChaosTriggerSetup> {
  const { experiment } = experimentOf(context.config, experimentName);
  if (!needsCluster(experiment)) return {};
  const { kubeConfigFor } = await import("../kubernetes/cluster-access.ts");
  const { assertChaosMeshInstalled } = await import("../../../chaos/experiments/preflight.ts");
  const kubeConfig = await kubeConfigFor(context);
  await assertChaosMeshInstalled(kubeConfig, chaosFaults(experiment).map((entry) => entry.fault.kind));
  return { kubeConfig };
}

export interface ChaosTriggerRequest {
  experimentName: string;
  setup: ChaosTriggerSetup;
  demoTarget: StartedTarget | undefined;
  context: StepRunContext;
  stepName: string;
}

/** The strongest demo fault among the experiment's: what the load should see of it. */
function demoEffect(experiment: Experiment): { errorRate: number; latencyMs: number } {
  const settings = demoFaults(experiment).map((entry) => entry.demoFault!);
  return { errorRate: Math.max(0, ...settings.map((setting) => setting.errorRate)), latencyMs: Math.max(0, ...settings.map((setting) => setting.latencyMs)) };
}

class ChaosExperimentTrigger implements FaultTrigger {
  readonly description: string;
  readonly expectedEffect: { errorRate: number; latencyMs: number };
  readonly artifacts: Record<string, string>;
  private readonly experiment: Experiment;
  private readonly journal: Journal;
  private readonly faults: FaultActionContext;
  private readonly api: ChaosApi | undefined;
  private readonly outcomes: FaultOutcome[] = [];
  private readonly removals = new Map<FaultOutcome, Promise<void>>();
  private readonly timers: NodeJS.Timeout[] = [];
  /** Settles when every fault's proof came or its deadline passed. */
  private confirmed: Promise<unknown> = Promise.resolve();
  private rollbacks: Promise<void> | undefined;
  private rollbackFailures: string[] = [];

  constructor(private readonly request: ChaosTriggerRequest) {
    const { context, experimentName, setup, stepName } = request;
    this.experiment = experimentOf(context.config, experimentName).experiment;
    const journalFile = `${stepName}.chaos.jsonl`;
    this.artifacts = { chaosJournal: journalFile };
    this.journal = new Journal(context.runDirectory.file(journalFile), context.log);
    this.api = setup.kubeConfig ? new ChaosApi(setup.kubeConfig) : undefined;
    this.faults = {
      experimentName,
      experiment: this.experiment,
      runId: context.runDirectory.runId,
      environmentName: context.environmentName,
      journal: this.journal,
      ...(this.api ? { api: this.api } : {}),
      ...(setup.kubeConfig ? { core: setup.kubeConfig.makeApiClient(CoreV1Api) } : {}),
      ...(request.demoTarget ? { demoTarget: request.demoTarget } : {}),
    };
    this.description = `chaos experiment ${experimentName}: ${this.experiment.method.faults.map((entry, index) => describeFault(this.faults, entry, index)).join(" + ")}`;
    this.expectedEffect = demoEffect(this.experiment);
  }

  async inject(): Promise<number> {
    const { context } = this.request;
    if (this.api) await sweepLeftovers({ api: this.api, namespace: this.experiment.target.namespace, journal: this.journal, signal: context.abortSignal, environmentName: context.environmentName, runId: context.runDirectory.runId });
    try {
      for (const [index, entry] of this.experiment.method.faults.entries()) await inject(this.faults, entry, index, (outcome) => this.outcomes.push(outcome));
    } catch (error) {
      // Nothing the alert check would remove (it never got an instant): take out what went in now.
      await this.remove();
      throw error;
    }
    const deadlineMs = durationMs(this.experiment.injectionDeadline);
    const proofs = Promise.all(this.outcomes.map((outcome) => confirm(this.faults, outcome, deadlineMs, context.abortSignal)));
    this.confirmed = proofs.catch(() => undefined);
    void proofs.then(
      (confirmed) => (confirmed.every(Boolean) ? undefined : this.removeAll("it never took effect")),
      () => undefined,
    );
    for (const outcome of this.outcomes) this.removeWhenDurationEnds(outcome);
    return Math.min(...this.outcomes.map((outcome) => outcome.injectedAtMs!));
  }

  private removeWhenDurationEnds(outcome: FaultOutcome): void {
    const endsInMs = outcome.injectedAtMs! + durationMs(outcome.entry.duration) - Date.now();
    // A timer may fire a millisecond before the wall clock reaches its end: wait out the rest.
    if (endsInMs > 0) this.timers.push(setTimeout(() => this.removeWhenDurationEnds(outcome), endsInMs));
    else void this.removeOne(outcome, "its duration ended");
  }

  async remove(): Promise<number> {
    for (const timer of this.timers) clearTimeout(timer);
    await this.removeAll(this.request.context.abortSignal.aborted ? "aborted" : "the alert check is done with it");
    this.rollbacks ??= this.runRollbacks();
    await this.rollbacks;
    const removed = this.outcomes.flatMap((outcome) => (outcome.removedAtMs === undefined ? [] : [outcome.removedAtMs]));
    return removed.length > 0 ? Math.max(...removed) : Date.now();
  }

  /** The experiment's rollbacks, once, after every fault is out. */
  private async runRollbacks(): Promise<void> {
    this.rollbackFailures = await runRollbacks(this.experiment.rollbacks, {
      namespace: this.experiment.target.namespace,
      ...(this.request.setup.kubeConfig ? { apps: this.request.setup.kubeConfig.makeApiClient(AppsV1Api) } : {}),
      ...(this.request.demoTarget ? { demoTarget: this.request.demoTarget } : {}),
      journal: this.journal,
      environmentName: this.request.context.environmentName,
      runId: this.request.context.runDirectory.runId,
    });
  }

  private async removeAll(why: string): Promise<void> {
    await Promise.all(this.outcomes.map((outcome) => this.removeOne(outcome, why)));
  }

  /** Once per fault, after its proof settled (a deleted object proves nothing); a failure is journaled and judged. */
  private removeOne(outcome: FaultOutcome, why: string): Promise<void> {
    let removal = this.removals.get(outcome);
    if (!removal) {
      removal = this.confirmed
        .then(() => remove(this.faults, outcome, why))
        .catch((error: unknown) => {
          outcome.removal = `${outcome.label} still there: removal failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
          this.journal.record("fault-removed", `${outcome.entry.name}: ${outcome.removal}`);
        });
      this.removals.set(outcome, removal);
    }
    return removal;
  }

  /** Proof of each fault (status and pods, or the demo target's instant); every fault removed and every rollback done. */
  checks(): Check[] {
    return [...injectionChecks({ experiment: this.experiment, groups: [this.outcomes], skipped: [] }), ...cleanupCheck({ groups: [this.outcomes], rollbackFailures: this.rollbackFailures })];
  }

  timeline(): TimelineEvent[] {
    return this.journal.timeline().filter((event) => event.event !== "fault-injected" && event.event !== "fault-removed");
  }
}

export function chaosExperimentTrigger(request: ChaosTriggerRequest): FaultTrigger {
  return new ChaosExperimentTrigger(request);
}
