// Runs a load step's runners as an Indexed Job (docs/distributed.md): bulwark creates a ConfigMap with
// the bundled scenario and the plan and a Job of N pods, waits for it, reads every pod's result line from
// its log through the API, and merges the summaries exactly as for runners on this machine.
import { readFile, writeFile } from "node:fs/promises";
import type { KubeConfig, V1Job, V1Pod } from "@kubernetes/client-node";
import { ToolingError } from "../../core/errors.ts";
import type { RunDirectory } from "../../core/run-directory.ts";
import { waitFor } from "../../core/wait-for.ts";
import { writeFileAtomic } from "../../core/write-atomic.ts";
import { parseDuration } from "../../../thresholds/duration.ts";
import type { EngineOutcome } from "./engine-process.ts";
import type { EngineSummaryData } from "./engine-summary.ts";
import { mergeEngineSummaries } from "./merge-summaries.ts";
import { parseRunnerLog, runnerConfigMap, runnerJob, runnerJobDeadlineMs, runnerJobName, type RunnerJobSettings } from "./runner-job.ts";
import { combineOutcomes, droppedByRunner, segmentSequence, type RunnersOutcome } from "./runners.ts";
import { apiErrorMessage } from "../kubernetes/api-error.ts";

export interface JobRunnersInput {
  kubeConfig: KubeConfig;
  settings: RunnerJobSettings;
  runners: number;
  runDirectory: RunDirectory;
  stepName: string;
  /** The bundled scenario and the plan file the engine reads. */
  bundlePath: string;
  planPath: string;
  plannedMs: number;
  abortSignal: AbortSignal;
  /** Where the merged summary goes (the step's engine-summary.json). */
  summaryPath: string;
}

/** What a runner pod did, for `<step>.runners.json`. */
export interface RunnerPodRecord {
  index: number;
  pod: string | null;
  node: string | null;
  phase: string | null;
  engineExitCode: number | null;
  /** The engine's own words when it missed the shared start instant ("1.2s"). */
  startBarrierMissedBy?: string;
}

/** A container that is waiting for one of these will never run without a change: fail the step now. */
const hopelessWaits = new Set(["ErrImageNeverPull", "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CreateContainerConfigError", "CreateContainerError"]);

const indexAnnotation = "batch.kubernetes.io/job-completion-index";

function finished(job: V1Job, runners: number): boolean {
  const done = (job.status?.succeeded ?? 0) + (job.status?.failed ?? 0) >= runners;
  const terminal = (job.status?.conditions ?? []).some((condition) => (condition.type === "Complete" || condition.type === "Failed") && condition.status === "True");
  return done || terminal;
}

/** A pod that cannot start, as one line; undefined while it may still. */
function hopeless(pod: V1Pod): string | undefined {
  for (const status of pod.status?.containerStatuses ?? []) {
    const waiting = status.state?.waiting;
    if (waiting?.reason && hopelessWaits.has(waiting.reason)) return `${waiting.reason}: ${waiting.message ?? ""}`.trim();
  }
  return undefined;
}

/** The pod of each completion index (the newest, should the Job controller have made two). */
function podsByIndex(pods: readonly V1Pod[]): Map<number, V1Pod> {
  const byIndex = new Map<number, V1Pod>();
  for (const pod of pods) {
    const index = Number(pod.metadata?.annotations?.[indexAnnotation]);
    if (!Number.isInteger(index)) continue;
    const earlier = byIndex.get(index);
    if (!earlier || (pod.metadata?.creationTimestamp ?? 0) > (earlier.metadata?.creationTimestamp ?? 0)) byIndex.set(index, pod);
  }
  return byIndex;
}

function terminatedWith(pod: V1Pod | undefined): string {
  if (!pod) return "no pod was created for it";
  const state = pod.status?.containerStatuses?.[0]?.state;
  if (state?.terminated) return `its container ended with exit code ${state.terminated.exitCode}${state.terminated.reason ? ` (${state.terminated.reason})` : ""} and printed no result`;
  if (state?.waiting) return `its container never started: ${state.waiting.reason ?? "waiting"}${state.waiting.message ? `: ${state.waiting.message}` : ""}`;
  return `pod ${pod.status?.phase ?? "in an unknown phase"}${pod.status?.reason ? ` (${pod.status.reason})` : ""} without a result`;
}

/**
 * Runs N runner pods of one segment sequence from one shared start instant and merges their summaries
 * (thresholds judged once, on the whole). The Job and its ConfigMap are deleted at the end; their
 * deadline and TTL bound them should bulwark die first.
 */
export async function runJobRunners(input: JobRunnersInput): Promise<RunnersOutcome> {
  const { settings, runners, runDirectory, stepName } = input;
  const { BatchV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } = await import("@kubernetes/client-node");
  const batch = input.kubeConfig.makeApiClient(BatchV1Api);
  const core = input.kubeConfig.makeApiClient(CoreV1Api);
  const namespace = settings.namespace;
  const name = runnerJobName(runDirectory.runId, stepName);
  const startDelayMs = parseDuration(settings.startDelay) ?? 0;
  const startAt = new Date(Date.now() + startDelayMs).toISOString();
  const manifestInput = {
    settings,
    runId: runDirectory.runId,
    stepName,
    runners,
    sequence: segmentSequence(runners),
    startAt,
    plannedMs: input.plannedMs,
    bundle: await readFile(input.bundlePath, "utf8"),
    plan: await readFile(input.planPath, "utf8"),
  };
  const runnersFile = `${stepName}.runners.json`;
  const artifacts: Record<string, string> = { runners: runnersFile };
  const job = runnerJob(manifestInput);
  await writeFile(runDirectory.file(`${stepName}.runner-job.json`), JSON.stringify(job, null, 2));
  artifacts.runnerJob = `${stepName}.runner-job.json`;

  const refused = (what: string) => (error: unknown) => {
    throw new ToolingError(`runnerJob: ${what} ${namespace}/${name} refused by the cluster: ${apiErrorMessage(error)}`);
  };
  await core.createNamespacedConfigMap({ namespace, body: runnerConfigMap(manifestInput) }).catch(refused("ConfigMap"));
  try {
    const created = await batch.createNamespacedJob({ namespace, body: job as V1Job }).catch(refused("Job"));
    // Owned by the Job: the Job's TTL takes the ConfigMap along should bulwark die before its own cleanup.
    const owner = { apiVersion: "batch/v1", kind: "Job", name, uid: created.metadata?.uid ?? "" };
    await core.patchNamespacedConfigMap({ name, namespace, body: { metadata: { ownerReferences: [owner] } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch)).catch(() => undefined);

    const selector = `batch.kubernetes.io/job-name=${name}`;
    const listPods = async () => (await core.listNamespacedPod({ namespace, labelSelector: selector })).items;
    let stuck: string | undefined;
    try {
      await waitFor(
        async () => {
          if (finished(await batch.readNamespacedJob({ name, namespace }), runners)) return true;
          for (const pod of await listPods()) {
            const reason = hopeless(pod);
            if (reason) {
              stuck = `runner ${pod.metadata?.annotations?.[indexAnnotation] ?? "?"} (pod ${pod.metadata?.name}) cannot start: ${reason}`;
              return true;
            }
          }
          return false;
        },
        { timeoutMs: runnerJobDeadlineMs(startDelayMs, input.plannedMs) + 30_000, intervalMs: 500, signal: input.abortSignal, description: `runner Job ${namespace}/${name} to finish` },
      );
    } catch (error) {
      if (!input.abortSignal.aborted) throw error;
      const aborted: EngineOutcome = { exitCode: null, aborted: true, log: "", cpuSeconds: null };
      return { outcome: aborted, data: null, artifacts };
    }

    const pods = podsByIndex(await listPods());
    const records: RunnerPodRecord[] = [];
    const outcomes: EngineOutcome[] = [];
    const summaries: EngineSummaryData[] = [];
    const problems: string[] = [];
    if (stuck) problems.push(stuck);
    for (let index = 0; index < runners; index++) {
      const pod = pods.get(index);
      const podName = pod?.metadata?.name ?? null;
      const log = podName ? await core.readNamespacedPodLog({ name: podName, namespace, container: "runner" }).catch(() => "") : "";
      const { engineLog, result } = parseRunnerLog(log);
      const logFile = `${stepName}.runner-${index}.engine.log`;
      await writeFile(runDirectory.file(logFile), engineLog);
      artifacts[`runner${index}Log`] = logFile;
      const missed = /start barrier \S+ missed by ([^:"]+)/.exec(engineLog)?.[1];
      records.push({
        index,
        pod: podName,
        node: pod?.spec?.nodeName ?? null,
        phase: pod?.status?.phase ?? null,
        engineExitCode: result?.engineExitCode ?? null,
        ...(missed ? { startBarrierMissedBy: missed } : {}),
      });
      outcomes.push({ exitCode: result?.engineExitCode ?? null, aborted: false, log: engineLog.slice(-20_000), cpuSeconds: null });
      const summary = result?.summary as EngineSummaryData | null | undefined;
      if (summary && typeof summary === "object" && summary.metrics) {
        const summaryFile = `${stepName}.runner-${index}.engine-summary.json`;
        await writeFileAtomic(runDirectory.file(summaryFile), JSON.stringify(summary));
        artifacts[`runner${index}Summary`] = summaryFile;
        summaries.push(summary);
      } else if (!result && !stuck) {
        problems.push(`runner ${index}${podName ? ` (pod ${podName})` : ""}: ${terminatedWith(pod)}`);
      }
    }
    await writeFileAtomic(runDirectory.file(runnersFile), JSON.stringify({ job: `${namespace}/${name}`, startAt, runners: records }, null, 2));

    const outcome = combineOutcomes(outcomes);
    if (problems.length > 0) return { outcome, data: null, artifacts, error: problems.join("; ") };
    if (summaries.length !== runners) return { outcome, data: null, artifacts };
    const data = mergeEngineSummaries(summaries);
    await writeFileAtomic(input.summaryPath, JSON.stringify(data));
    return { outcome, data, artifacts, runnerDroppedIterations: droppedByRunner(summaries) };
  } finally {
    // Background: the API answers at once and the garbage collector removes the pods (their logs are saved).
    await batch.deleteNamespacedJob({ name, namespace, propagationPolicy: "Background" }).catch(() => undefined);
    await core.deleteNamespacedConfigMap({ name, namespace }).catch(() => undefined);
  }
}
