// One rollout check: the Deployment settled, load before the change, the change, the rollout watched
// until it completes or fails, a rollback to the original template (a failed change is rolled back; a
// good one is reverted, so the check leaves the Deployment as it found it), the load to its end, and the
// verdicts. Whatever happens (a failure, an error, Ctrl-C), the Deployment is put back on its original
// pod template before the step returns.
import type { V1PodTemplateSpec, V1ReplicaSet } from "@kubernetes/client-node";
import { audit } from "../../core/audit-log.ts";
import { realClock, type Clock } from "../../core/clock.ts";
import { ToolingError } from "../../core/errors.ts";
import { formatMs } from "../../core/format.ts";
import type { RequestSamples } from "../../core/request-samples.ts";
import type { StepResult } from "../../core/step-result.ts";
import type { StepRunContext } from "../step-kind.ts";
import type { PreparedLoad } from "../load/kind.ts";
import { runLoadAlongside, type LoadSpec, type RunningLoad } from "../load/load-alongside.ts";
import { phaseRequests } from "../load/phases.ts";
import type { DeploymentRef, RolloutCluster } from "./cluster.ts";
import { rolloutTimings, type RolloutCheck } from "./definition.ts";
import { explainRollout, type RolloutEnd } from "./explain.ts";
import { RolloutJournal } from "./journal.ts";
import { restoredAtMs } from "./judge.ts";
import { LiveState } from "./live-state.ts";
import { recordOf, stepResult, type Progress, type Rollback } from "./result.ts";
import { liveBreach, sloHolds, type PodReality } from "./slo.ts";
import { rolloutState } from "./status.ts";
import { containersWithoutReadinessProbe, strategyFacts } from "./strategy.ts";
import { changePatch, currentReplicaSet, describeChange, sameTemplate, templateHashOf, undoPatch } from "./template.ts";
import { abortableSleep } from "../../core/abortable-sleep.ts";

/** How long the Deployment may take to finish whatever it was doing before the check changes it. */
const settleTimeoutMs = 60_000;
/** The live SLO windows: a breach is judged on the last 3 s of requests, holding again on the last 2 s. */
const breachWindowMs = 3000;
const holdingWindowMs = 2000;

export interface RolloutRun {
  stepName: string;
  checkName: string;
  check: RolloutCheck;
  cluster: RolloutCluster;
  /** The template the change produces (the API server's dry run in prepare): what "ours" looks like. */
  expectedTemplate: V1PodTemplateSpec | undefined;
  load?: { spec: LoadSpec; prepared: PreparedLoad };
  context: StepRunContext;
  clock?: Clock;
}

const refText = (ref: DeploymentRef): string => `deployment/${ref.namespace}/${ref.name}`;

function podReality(nodes: { simulated: boolean; nodes: string[] } | null): PodReality {
  if (!nodes) return { simulated: false, why: "the pods' nodes could not be read; pods taken as real" };
  return { simulated: nodes.simulated, why: `${nodes.simulated ? "KWOK" : "real"} nodes ${nodes.nodes.join(", ")}` };
}

export async function runRolloutCheck(run: RolloutRun): Promise<StepResult> {
  const { check, cluster, context } = run;
  const clock = run.clock ?? realClock;
  const signal = context.abortSignal;
  const timings = rolloutTimings(check);
  const ref: DeploymentRef = { namespace: check.namespace, name: check.deployment };
  const startedAtMs = clock.now();
  const log = (line: string) => context.log(`rollout: ${line}`);
  const auditEntry = (action: string, result: "started" | "succeeded" | "failed" | "reverted", detail: string) =>
    audit({ action, target: refText(ref), environment: context.environmentName, runId: context.runDirectory.runId, result, detail });

  const initial = await cluster.deployment(ref);
  if (!initial) throw new ToolingError(`rollout: ${refText(ref)} no longer exists`);
  const live = new LiveState(clock, log);
  live.start(cluster, ref, initial);
  const progress: Progress = { explanation: [] };
  try {
    const settled = await live.until(
      () => {
        const deployment = live.deployment;
        if (!deployment || rolloutState(deployment, deployment.metadata?.generation ?? 0).phase !== "complete") return undefined;
        return currentReplicaSet(deployment, [...live.replicaSets.values()]) ? deployment : undefined;
      },
      { timeoutMs: settleTimeoutMs, signal, onTimeout: () => null },
    );
    if (!settled) {
      const state = live.deployment ? rolloutState(live.deployment, live.deployment.metadata?.generation ?? 0).detail : "not found";
      throw new ToolingError(`rollout: ${refText(ref)} did not settle within ${formatMs(settleTimeoutMs)} before the change (${state}): is another rollout running?`);
    }
    const originalTemplate = settled.spec!.template;
    const originalReplicaSet = currentReplicaSet(settled, [...live.replicaSets.values()])!;
    const originalHash = templateHashOf(originalReplicaSet) ?? "?";
    const originalAnnotations = settled.metadata?.annotations ?? {};
    const journal = new RolloutJournal(originalHash);
    live.record(journal);
    const strategy = strategyFacts(settled);
    const pods = podReality(await cluster.nodesSimulated((await cluster.pods(ref, settled.spec?.selector)).map((pod) => pod.spec?.nodeName ?? "").filter(Boolean)));
    const slo = check.expect.slo;
    journal.mark(clock.now(), "rollout-check", `${refText(ref)} on ReplicaSet ${originalReplicaSet.metadata?.name} (${originalHash}); ${strategy.type} maxSurge ${strategy.maxSurgeSpec} maxUnavailable ${strategy.maxUnavailableSpec}; pods ${pods.simulated ? "simulated" : "real"} (${pods.why})`);
    log(`${refText(ref)}: ${strategy.replicas} replicas on ReplicaSet ${originalHash}; ${pods.simulated ? `simulated pods (${pods.why}): the SLO during the rollout is not applicable` : "real pods"}`);

    /** Which template the Deployment should go back to: the original ReplicaSet's (as `kubectl rollout undo`), or the recorded one. */
    const undoTarget = () => {
      const replicaSet = [...live.replicaSets.values()].find((candidate) => templateHashOf(candidate) === originalHash);
      return replicaSet?.spec?.template ? { template: replicaSet.spec.template, annotations: replicaSet.metadata?.annotations ?? {} } : { template: originalTemplate, annotations: originalAnnotations };
    };

    const decideRolloutEnd = (running: RunningLoad | undefined): Progress["rolloutEnd"] | undefined => {
      const deployment = live.deployment;
      const now = clock.now();
      if (!deployment) throw new ToolingError(`rollout: ${refText(ref)} was deleted during the rollout`);
      // Until the watch has delivered our own change, the Deployment it shows is the one before it.
      if ((deployment.metadata?.generation ?? 0) < progress.changeGeneration!) return undefined;
      if (!sameTemplate(deployment.spec?.template, progress.changedTemplate)) throw new ToolingError(`rollout: the pod template of ${refText(ref)} was changed by someone else during the rollout`);
      if (!progress.changedHash) {
        const replicaSet = [...live.replicaSets.values()].find((candidate) => sameTemplate(candidate.spec?.template, progress.changedTemplate));
        const hash = replicaSet ? templateHashOf(replicaSet) : undefined;
        if (hash) {
          progress.changedHash = hash;
          journal.setChangedHash(now, hash);
        }
      }
      const state = rolloutState(deployment, progress.changeGeneration!);
      if (state.phase === "complete") return { end: "complete", atMs: now, detail: state.detail };
      if (state.phase === "deadline-exceeded") return { end: "deadline-exceeded", atMs: now, detail: state.detail };
      if (timings.readinessTimeoutMs !== undefined && progress.changedHash) {
        const stuck = journal.podsOf(progress.changedHash).find((pod) => pod.runningUnreadySinceMs !== null && now - pod.runningUnreadySinceMs >= timings.readinessTimeoutMs!);
        if (stuck) return { end: "readiness-timeout", atMs: now, detail: `pod ${stuck.name} ran ${formatMs(now - stuck.runningUnreadySinceMs!)} without becoming Ready (${stuck.reason}); detect.readinessTimeout is ${check.detect.readinessTimeout}` };
      }
      if (running && slo && check.detect.sloBreach && !pods.simulated) {
        const breach = liveBreach(running.live(), Math.max(progress.changeAtMs!, now - breachWindowMs), now, slo);
        if (breach) return { end: "slo-breach", atMs: now, detail: breach };
      }
      return undefined;
    };

    /** Rolls back at once: the rollback (and the time to restore) starts at `decidedAtMs`, the instant the rollout phase ended. */
    const rollBack = async (why: string, decidedAtMs: number, running: RunningLoad | undefined): Promise<void> => {
      const current = live.deployment ?? (await cluster.deployment(ref));
      if (!current) throw new ToolingError(`rollout: ${refText(ref)} was deleted during the check`);
      const patched = await cluster.patchJson(ref, undoPatch(current, undoTarget()));
      const rollback: Rollback = { startedAtMs: decidedAtMs, generation: patched.metadata?.generation ?? 0, replicaSetRestoredAtMs: null, sloHoldingAtMs: null, endedAtMs: null };
      progress.rollback = rollback;
      journal.mark(clock.now(), "rollback-applied", `${why}: back to ReplicaSet ${originalHash} (as kubectl rollout undo)`);
      log(`${why}: rolling back to ReplicaSet ${originalHash}`);
      await auditEntry("rollout.undo", "succeeded", `${why}: pod template of ReplicaSet ${originalHash} restored`);
      const sloCounts = Boolean(running && slo && !pods.simulated);
      const outcome = await live.until(
        () => {
          const deployment = live.deployment;
          if (!deployment) throw new ToolingError(`rollout: ${refText(ref)} was deleted during the rollback`);
          const now = clock.now();
          if (rollback.replicaSetRestoredAtMs === null) {
            const back = rolloutState(deployment, rollback.generation).phase === "complete" && templateHashOf(currentReplicaSet(deployment, [...live.replicaSets.values()]) ?? {}) === originalHash;
            if (!back) return undefined;
            rollback.replicaSetRestoredAtMs = now;
            journal.mark(now, "replicaset-restored", `ReplicaSet ${originalHash} fully available again`);
          }
          if (!sloCounts) return "restored" as const;
          if (!sloHolds(running!.live(), now - holdingWindowMs, now, slo!)) return undefined;
          rollback.sloHoldingAtMs = now;
          journal.mark(now, "slo-holding", `the SLO held on the last ${formatMs(holdingWindowMs)} of requests`);
          return "restored" as const;
        },
        { timeoutMs: timings.rollbackGiveUpMs, signal, onTimeout: () => "gave-up" as const },
      );
      rollback.endedAtMs = clock.now();
      if (outcome === "restored") log(`restored ${formatMs(restoredAtMs({ ...rollback, sloCounts })! - rollback.startedAtMs)} after the rollback started`);
      else log(`not restored within ${formatMs(timings.rollbackGiveUpMs)} of the rollback`);
    };

    /** Puts the original template back unless it is there already or someone else's template replaced ours. */
    const restoreOriginal = async (): Promise<void> => {
      const current = await cluster.deployment(ref);
      if (!current || sameTemplate(current.spec?.template, originalTemplate)) return;
      const ours = [progress.changedTemplate, run.expectedTemplate].some((template) => template && sameTemplate(current.spec?.template, template));
      if (!ours) {
        journal.mark(clock.now(), "not-reverted", "the pod template is neither the original nor this check's change: left alone");
        log(`${refText(ref)} runs a template this check did not set: left alone`);
        return;
      }
      await cluster.patchJson(ref, undoPatch(current, undoTarget()));
      journal.mark(clock.now(), "reverted", `cleanup: pod template of ReplicaSet ${originalHash} restored`);
      log(`cleanup: ${refText(ref)} put back on the pod template of ReplicaSet ${originalHash}`);
      await auditEntry("rollout.undo", "reverted", `cleanup${signal.aborted ? " after an interrupt" : ""}: pod template of ReplicaSet ${originalHash} restored`);
    };

    const work = async (running: RunningLoad | undefined): Promise<void> => {
      try {
        if (running) await abortableSleep(timings.beforeMs, signal);
        const changeText = describeChange(check.change, originalTemplate);
        await auditEntry("rollout.change", "started", changeText);
        const changed = await cluster.patchStrategic(ref, changePatch(check.change, originalTemplate, `rolloutChecks.${run.checkName}.change`));
        progress.changeAtMs = clock.now();
        progress.changeGeneration = changed.metadata?.generation ?? 0;
        progress.changedTemplate = changed.spec?.template;
        journal.mark(progress.changeAtMs, "change-applied", changeText);
        log(`change applied: ${changeText}`);
        await auditEntry("rollout.change", "succeeded", changeText);

        progress.rolloutEnd = await live.until(() => decideRolloutEnd(running), {
          timeoutMs: timings.rolloutGiveUpMs,
          signal,
          onTimeout: () => ({ end: "gave-up", atMs: clock.now(), detail: "" }),
        });
        const { end, atMs, detail } = progress.rolloutEnd;
        journal.mark(atMs, end === "complete" ? "rollout-complete" : "rollout-failed", `${end}${detail ? `: ${detail}` : ""}`);
        log(end === "complete" ? `rollout complete in ${formatMs(atMs - progress.changeAtMs)}` : `rollout failed after ${formatMs(atMs - progress.changeAtMs)}: ${end}${detail ? ` (${detail})` : ""}`);
        progress.explanation = explainFor(end, detail, atMs, running?.live());
        for (const line of progress.explanation) log(`  ${line}`);

        await rollBack(end === "complete" ? "revert after the check" : `rollback after ${end}`, atMs, running);
        if (running) await Promise.race([running.finished, new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }))]);
      } catch (error) {
        if (!signal.aborted) throw error;
        progress.interruptedAtMs ??= clock.now();
      } finally {
        await restoreOriginal();
      }
    };

    const explainFor = (end: RolloutEnd, detail: string, atMs: number, requests: RequestSamples | undefined): string[] => {
      const window = { name: "rollout", kind: "rollout" as const, startMs: progress.changeAtMs!, endMs: atMs };
      const failed = requests && !pods.simulated ? phaseRequests(requests, window) : undefined;
      return explainRollout({
        strategy,
        withoutReadinessProbe: containersWithoutReadinessProbe(progress.changedTemplate),
        end,
        endDetail: end === "deadline-exceeded" ? "" : detail,
        rolloutMs: atMs - progress.changeAtMs!,
        ...(timings.completesWithinMs !== undefined ? { budgetMs: timings.completesWithinMs } : {}),
        giveUpMs: timings.rolloutGiveUpMs,
        newPods: progress.changedHash ? journal.podsOf(progress.changedHash) : [],
        endMs: atMs,
        readyDuringRollout: journal.readyRange(progress.changeAtMs!, atMs),
        ...(failed ? { failedRequests: { failed: failed.failures, total: failed.requests } } : {}),
      });
    };

    let load: Awaited<ReturnType<typeof runLoadAlongside<void>>> | undefined;
    if (run.load) load = await runLoadAlongside(run.stepName, run.load.spec, run.load.prepared, context, work);
    else await work(undefined);
    if (signal.aborted) progress.interruptedAtMs ??= clock.now();

    const final = await cluster.deployment(ref);
    const finalReplicaSets: V1ReplicaSet[] = final ? await cluster.replicaSets(ref, final.spec?.selector) : [];
    const endsOnOriginalTemplate = Boolean(final && sameTemplate(final.spec?.template, originalTemplate));
    const finalHash = final ? (templateHashOf(currentReplicaSet(final, finalReplicaSets) ?? {}) ?? null) : null;
    const endedAtMs = clock.now();
    return await stepResult({
      run,
      startedAtMs,
      endedAtMs,
      progress,
      journal,
      pods,
      load,
      record: progress.changeAtMs === undefined ? null : recordOf(progress, { originalHash, finalHash, endsOnOriginalTemplate, sloCounts: Boolean(run.load && slo && !pods.simulated) }),
      endsOnOriginalTemplate,
      originalHash,
      finalHash,
      timings,
      deployment: settled,
    });
  } finally {
    await live.stop();
  }
}

