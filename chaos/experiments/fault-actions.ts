// Putting one fault of the method in, proving it took effect, and taking it out again: a Chaos Mesh
// object (created, its status and the pods watched, deleted until gone), or the local demo-fault action
// (the demo target's latency/errors switched at instants the target itself reports).
import { createHash } from "node:crypto";
import type { CoreV1Api } from "@kubernetes/client-node";
import { audit } from "../../scripts/core/audit-log.ts";
import { waitFor, WaitTimeoutError } from "../../scripts/core/wait-for.ts";
import type { StartedTarget } from "../../scripts/kinds/step-kind.ts";
import {
  buildChaosObject,
  chaosObjectName,
  describeInjection,
  describeRef,
  forcedCleanAnnotation,
  injectionState,
  type ChaosApi,
  type ChaosObject,
  type InjectionState,
} from "../faults/index.ts";
import type { Journal } from "./journal.ts";
import { ownerAnnotation, ownerOfThisProcess } from "./leftovers.ts";
import { failureProof, failureRecovered, killProof, replacementReady, snapshotPods, type PodState, type Proof } from "./pod-proof.ts";
import type { Experiment, MethodFault } from "./schema.ts";
import { targetSelector } from "./guardrails.ts";

/** What the runner needs to act on faults. */
export interface FaultActionContext {
  experimentName: string;
  experiment: Experiment;
  runId: string;
  environmentName: string;
  journal: Journal;
  api?: ChaosApi;
  core?: CoreV1Api;
  demoTarget?: StartedTarget;
}

/** One fault of the method as it happened. */
export interface FaultOutcome {
  entry: MethodFault;
  index: number;
  /** "PodChaos pod-kill bulwark-demo/pod-kill-demo-1-..." or "demo-fault latency 300 ms". */
  label: string;
  object?: ChaosObject;
  podsBefore?: PodState[];
  /** Chaos Mesh's records of the targets it selected ("namespace/pod"). */
  records?: string[];
  /** When the fault was applied: the create call (Chaos Mesh) or the instant the demo target applied it. */
  injectedAtMs?: number;
  confirmation?: { atMs: number; detail: string };
  neverTookEffect?: string;
  removedAtMs?: number;
  removal?: string;
  /** pod-kill: the replacement pod Ready (Unix ms) and what proved it. */
  replacedAtMs?: number;
  /** The hypothesis (and the pods) back: Unix ms, or undefined when it did not come back in time. */
  recoveredAtMs?: number;
  recoveryDetail?: string;
  removedEarly?: string;
}

/** Run ids can be longer than a label value (63 characters): the tail is then a hash of the whole. */
export function runIdLabelValue(runId: string): string {
  if (runId.length <= 63) return runId;
  return `${runId.slice(0, 54).replace(/[^A-Za-z0-9]+$/, "")}-${createHash("sha256").update(runId).digest("hex").slice(0, 8)}`;
}

const action = (outcome: FaultOutcome): string | undefined => (outcome.entry.fault?.kind === "PodChaos" ? outcome.entry.fault.action : undefined);

function describeDemo(setting: { latencyMs: number; errorRate: number }): string {
  const parts = [...(setting.latencyMs > 0 ? [`latency ${setting.latencyMs} ms`] : []), ...(setting.errorRate > 0 ? [`errors ${Math.round(setting.errorRate * 1000) / 10} %`] : [])];
  return `demo-fault ${parts.join(", ") || "off"}`;
}

/** The manifest of a Chaos Mesh fault, exactly as it is sent (also what --dry-run prints). */
export function faultManifest(context: Pick<FaultActionContext, "experimentName" | "experiment" | "runId">, entry: MethodFault, index: number): ChaosObject {
  const object = buildChaosObject(entry.fault!, {
    name: chaosObjectName(context.experimentName, index, context.runId),
    namespace: context.experiment.target.namespace,
    selector: targetSelector(context.experiment),
    mode: entry.mode,
    ...(entry.value !== undefined ? { value: entry.value } : {}),
    duration: entry.duration,
    runId: runIdLabelValue(context.runId),
    experiment: context.experimentName,
  });
  return { ...object, metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, [ownerAnnotation]: ownerOfThisProcess() } } };
}

const auditAction = (context: FaultActionContext, actionName: string, target: string, result: "started" | "succeeded" | "failed" | "reverted", detail?: string) =>
  audit({ action: actionName, target, environment: context.environmentName, runId: context.runId, result, ...(detail ? { detail } : {}) });

export function describeFault(context: Pick<FaultActionContext, "experimentName" | "experiment" | "runId">, entry: MethodFault, index: number): string {
  if (entry.demoFault) return describeDemo(entry.demoFault);
  return `${entry.fault!.action} ${describeRef(faultManifest(context, entry, index))}`;
}

/** Applies the fault; the outcome records when. Chaos objects are tracked for cleanup before the call. */
export async function inject(context: FaultActionContext, entry: MethodFault, index: number, track: (outcome: FaultOutcome) => void): Promise<FaultOutcome> {
  if (entry.demoFault) {
    const outcome: FaultOutcome = { entry, index, label: describeDemo(entry.demoFault) };
    track(outcome);
    await auditAction(context, "chaos demo-fault on", "demo target", "started", outcome.label);
    const applied = await context.demoTarget!.switchFaults(entry.demoFault);
    outcome.injectedAtMs = applied.getTime();
    context.journal.record("fault-injected", `${entry.name}: ${outcome.label} (applied by the demo target)`, { fault: entry.name }, applied);
    await auditAction(context, "chaos demo-fault on", "demo target", "succeeded", outcome.label);
    return outcome;
  }
  const object = faultManifest(context, entry, index);
  const outcome: FaultOutcome = { entry, index, label: `${entry.fault!.action} ${describeRef(object)}`, object };
  outcome.podsBefore = await snapshotPods(context.core!, context.experiment.target.namespace, context.experiment.target.selector);
  track(outcome);
  await auditAction(context, "chaos inject", describeRef(object), "started", `${entry.fault!.action}, mode ${entry.mode}, duration ${entry.duration}`);
  const requested = new Date();
  try {
    await context.api!.create(object);
  } catch (error) {
    await auditAction(context, "chaos inject", describeRef(object), "failed", error instanceof Error ? error.message : String(error));
    throw error;
  }
  outcome.injectedAtMs = requested.getTime();
  context.journal.record("fault-injected", `${entry.name}: ${outcome.label} created (duration ${entry.duration})`, { fault: entry.name, object: object.metadata.name }, requested);
  await auditAction(context, "chaos inject", describeRef(object), "succeeded");
  return outcome;
}

/**
 * Proof that the fault took effect within the deadline: the object's status (conditions and records)
 * and, for pod faults, the pods (pod-kill: the pod's UID gone; pod-failure: same UID, swapped image).
 * Records outcome.neverTookEffect when the proof does not come.
 */
export async function confirm(context: FaultActionContext, outcome: FaultOutcome, deadlineMs: number, signal: AbortSignal): Promise<boolean> {
  if (!outcome.object) {
    outcome.confirmation = { atMs: outcome.injectedAtMs!, detail: `the demo target applied ${outcome.label} at ${new Date(outcome.injectedAtMs!).toISOString().slice(11, 23)} (its own clock)` };
    context.journal.record("injection-confirmed", `${outcome.entry.name}: ${outcome.confirmation.detail}`, { fault: outcome.entry.name }, new Date(outcome.confirmation.atMs));
    return true;
  }
  let state: InjectionState | undefined;
  let podProof: Proof | undefined;
  try {
    const detail = await waitFor(
      async () => {
        const current = await context.api!.find(outcome.object!);
        if (!current) return false;
        state = injectionState(current);
        if (!state.injected && state.everInjected === 0) return false;
        const records = state.records.map((record) => record.id);
        outcome.records = records;
        if (action(outcome) === "pod-kill" || action(outcome) === "pod-failure") {
          const now = await snapshotPods(context.core!, context.experiment.target.namespace, context.experiment.target.selector);
          podProof = action(outcome) === "pod-kill" ? killProof(outcome.podsBefore!, now, records) : failureProof(outcome.podsBefore!, now, records);
          if (!podProof.proven) return false;
          return `status: ${describeInjection(state)}; pods: ${podProof.detail}`;
        }
        return `status: ${describeInjection(state)}`;
      },
      { timeoutMs: deadlineMs, intervalMs: 250, signal, description: `${outcome.label} to take effect` },
    );
    outcome.confirmation = { atMs: Date.now(), detail };
    context.journal.record("injection-confirmed", `${outcome.entry.name}: ${detail}`, { fault: outcome.entry.name });
    return true;
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error;
    const seen = state ? describeInjection(state) : "no status yet";
    outcome.neverTookEffect = `fault never took effect: ${outcome.label} not injected within ${deadlineMs / 1000} s (status: ${seen}${podProof && !podProof.proven ? `; pods: ${podProof.detail}` : ""})`;
    context.journal.record("fault-never-took-effect", `${outcome.entry.name}: ${outcome.neverTookEffect}`, { fault: outcome.entry.name });
    return false;
  }
}

/** pod-kill only: whether the replacement pod is Ready now (recorded once). */
export async function checkReplacement(context: FaultActionContext, outcome: FaultOutcome): Promise<boolean> {
  if (action(outcome) !== "pod-kill") return true;
  if (outcome.replacedAtMs !== undefined) return true;
  const now = await snapshotPods(context.core!, context.experiment.target.namespace, context.experiment.target.selector);
  const proof = replacementReady(outcome.podsBefore!, now);
  if (!proof.proven) return false;
  outcome.replacedAtMs = Date.now();
  context.journal.record("pod-replaced", `${outcome.entry.name}: ${proof.detail}`, { fault: outcome.entry.name });
  return true;
}

/** pod-failure only: whether the pod is back on its own image and Ready. */
export async function podsBack(context: FaultActionContext, outcome: FaultOutcome): Promise<Proof> {
  if (action(outcome) === "pod-kill") return (await checkReplacement(context, outcome)) ? { proven: true, detail: "" } : { proven: false, detail: "no replacement Ready yet" };
  if (action(outcome) !== "pod-failure" || !outcome.podsBefore) return { proven: true, detail: "" };
  const now = await snapshotPods(context.core!, context.experiment.target.namespace, context.experiment.target.selector);
  return failureRecovered(outcome.podsBefore, now, outcome.records ?? []);
}

/** How long a deleted object may take to go before the forced clean, and after it. */
const goneWithinMs = 3_500;
const forcedGoneWithinMs = 10_000;

/** Takes the fault out (idempotent): deletes the object and waits until it is gone, or switches the demo target back. */
export async function remove(context: FaultActionContext, outcome: FaultOutcome, why: string): Promise<void> {
  if (outcome.removedAtMs !== undefined) return;
  if (!outcome.object) {
    const applied = await context.demoTarget!.switchFaults({ latencyMs: 0, errorRate: 0 });
    outcome.removedAtMs = applied.getTime();
    outcome.removal = `demo target back to no fault (${why})`;
    context.journal.record("fault-removed", `${outcome.entry.name}: ${outcome.removal}`, { fault: outcome.entry.name }, applied);
    await auditAction(context, "chaos demo-fault off", "demo target", "reverted", why);
    return;
  }
  const api = context.api!;
  const target = describeRef(outcome.object);
  if (outcome.injectedAtMs === undefined) {
    // The create call failed (or never returned): make sure nothing stays, without a removal to report.
    await api.delete(outcome.object).catch(() => undefined);
    outcome.removedAtMs = Date.now();
    outcome.removal = `${target} was not created`;
    return;
  }
  const requested = Date.now();
  outcome.removedAtMs = requested;
  await api.delete(outcome.object);
  let gone = await api.waitUntilGone(outcome.object, { timeoutMs: goneWithinMs, intervalMs: 100 });
  let forced = false;
  if (!gone && (await api.find(outcome.object))) {
    await api.annotate(outcome.object, forcedCleanAnnotation).catch(() => undefined);
    forced = true;
    gone = await api.waitUntilGone(outcome.object, { timeoutMs: forcedGoneWithinMs, intervalMs: 200 });
  }
  const seconds = ((Date.now() - requested) / 1000).toFixed(1);
  outcome.removal = gone ? `${target} deleted, gone after ${seconds} s${forced ? " (forced clean)" : ""} (${why})` : `${target} deleted but still there after ${seconds} s (${why})`;
  context.journal.record("fault-removed", `${outcome.entry.name}: ${outcome.removal}`, { fault: outcome.entry.name }, new Date(requested));
  await auditAction(context, "chaos remove", target, gone ? "reverted" : "failed", why);
}
