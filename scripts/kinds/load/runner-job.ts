// A load step as an Indexed Job of runner pods (docs/distributed.md): the config that says where the pods
// run, the Job and ConfigMap bulwark creates, the script each pod runs, and how bulwark reads a pod's
// result back from its log. Pure: the Kubernetes calls are in job-runners.ts.
import { createHash } from "node:crypto";
import { z } from "zod";
import { parseDuration } from "../../../thresholds/duration.ts";
import { durationSchema } from "../../../thresholds/schema.ts";
import { planEnvVar } from "../../../thresholds/run-plan.ts";
import type { RbacRule } from "../step-kind.ts";

/** A Kubernetes namespace or object name part: a DNS label. */
const dnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "must be a Kubernetes name (lowercase letters, digits and '-', at most 63 characters)");

const tolerationSchema = z
  .object({
    key: z.string().min(1).optional(),
    operator: z.enum(["Equal", "Exists"]).optional(),
    value: z.string().optional(),
    effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
  })
  .strict();

const quantities = z.partialRecord(z.enum(["cpu", "memory"]), z.string().min(1));

/** `runnerJob` in the config: where and how the runner pods of a `runnersOn: "kubernetes"` step run. */
export const runnerJobSchema = z
  .object({
    namespace: dnsLabel.default("bulwark").describe("namespace of the Job, its ConfigMap and pods (must exist)"),
    image: z.string().min(1).default("bulwark/runner:latest").describe("the runner image (`bulwark deploy image`)"),
    imagePullPolicy: z.enum(["Always", "IfNotPresent", "Never"]).default("IfNotPresent").describe("Never for an image imported into the node without a registry"),
    hostNetwork: z.boolean().default(true).describe("runner pods use the node's network (a target on the node's loopback is 127.0.0.1)"),
    nodeSelector: z.record(z.string().min(1), z.string()).default({}).describe("node labels the runner pods need"),
    tolerations: z.array(tolerationSchema).default([]).describe("taints the runner pods tolerate"),
    resources: z.object({ requests: quantities.optional(), limits: quantities.optional() }).strict().optional().describe("each runner container's requests and limits"),
    startDelay: durationSchema.default("10s").describe("from creating the Job to the runners' shared start instant: scheduling, container start and setup()"),
  })
  .strict();
export type RunnerJobSettings = z.infer<typeof runnerJobSchema>;
export const defaultRunnerJob: RunnerJobSettings = runnerJobSchema.parse({});

/** Exactly the calls job-runners.ts makes in runnerJob.namespace, for a gate that runs inside the cluster. */
export const runnerJobRbacRules: readonly RbacRule[] = [
  { apiGroups: [""], resources: ["configmaps"], verbs: ["create", "patch", "delete"] },
  { apiGroups: ["batch"], resources: ["jobs"], verbs: ["create", "get", "delete"] },
  { apiGroups: [""], resources: ["pods"], verbs: ["list"] },
  { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
];

/** Where the ConfigMap (the bundled scenario and the plan) is mounted in a runner pod. */
export const runnerMount = "/etc/bulwark-runner";
const bundleKey = "scenario.js";
const planKey = "plan.json";
/** The pod's result line: this prefix, then `{"index":…,"engineExitCode":…,"summary":{…}|null}`. */
export const resultMarker = "bulwark-runner-result ";
/** Graceful stop of the compiled scenarios (thresholds/compile-options.ts) plus room for setup and teardown. */
const runSlackMs = 65_000;

/**
 * What every pod runs (POSIX sh; the runner image is Debian's). Its completion index picks its segment of
 * the shared sequence; every pod waits for the same start instant. The engine's own verdict on its slice
 * is not the step's: the pod succeeds whenever the engine judged (0, 10, 11) and prints its summary as one
 * line, which bulwark reads from the pod's log. A SIGTERM (the Job deleted) stops the engine gracefully.
 */
export const runnerScript = `set -u
index="\${JOB_COMPLETION_INDEX:?not an Indexed Job pod}"
summary_file="\${TMPDIR:-/tmp}/runner-summary.json"
segment="$index/$BULWARK_RUNNERS:$((index + 1))/$BULWARK_RUNNERS"
engine=""
trap '[ -n "$engine" ] && kill -INT "$engine" 2>/dev/null' INT TERM
bulwark-engine run --summary-json "$summary_file" --summary-histograms \\
  --execution-segment "$segment" --execution-segment-sequence "$BULWARK_SEGMENT_SEQUENCE" \\
  --start-at "$BULWARK_START_AT" --runner-id "$index" ${runnerMount}/${bundleKey} &
engine=$!
code=0
wait "$engine" || code=$?
while kill -0 "$engine" 2>/dev/null; do code=0; wait "$engine" || code=$?; done
summary=null
if [ -s "$summary_file" ]; then summary=$(tr -d '\\n' < "$summary_file"); fi
printf '%s{"index":%s,"engineExitCode":%s,"summary":%s}\\n' "${resultMarker}" "$index" "$code" "$summary"
case "$code" in 0|10|11) exit 0 ;; *) exit "$code" ;; esac
`;

export interface RunnerJobInput {
  settings: RunnerJobSettings;
  runId: string;
  stepName: string;
  runners: number;
  /** k6's notation of every runner's boundaries ("0,1/2,1"). */
  sequence: string;
  startAt: string;
  plannedMs: number;
  /** The bundled scenario and the run plan (baseUrl as the pods reach it). */
  bundle: string;
  plan: string;
}

/** `bulwark-load-<10 hex>`: one Job per run and step, a valid name for the Job, its pods' labels and the ConfigMap. */
export function runnerJobName(runId: string, stepName: string): string {
  return `bulwark-load-${createHash("sha256").update(`${runId}\0${stepName}`).digest("hex").slice(0, 10)}`;
}

/** How long the Job may run at all (activeDeadlineSeconds): the pods stop even if bulwark is gone. */
export function runnerJobDeadlineMs(startDelayMs: number, plannedMs: number): number {
  return startDelayMs + plannedMs + runSlackMs;
}

/** A label value: at most 63 of [A-Za-z0-9._-], alphanumeric at both ends. */
function labelValue(text: string, fallback: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "") || fallback;
}

export const managedLabels = (runId: string) => ({ "app.kubernetes.io/name": "bulwark-runner", "app.kubernetes.io/managed-by": "bulwark", "bulwark.dev/run-id": labelValue(runId, "run") });

export function runnerConfigMap(input: RunnerJobInput): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: runnerJobName(input.runId, input.stepName), namespace: input.settings.namespace, labels: managedLabels(input.runId) },
    data: { [bundleKey]: input.bundle, [planKey]: input.plan },
  };
}

export function runnerJob(input: RunnerJobInput): Record<string, unknown> {
  const { settings } = input;
  const name = runnerJobName(input.runId, input.stepName);
  const labels = { ...managedLabels(input.runId), "bulwark.dev/step": labelValue(input.stepName, "step") };
  const deadlineSeconds = Math.ceil(runnerJobDeadlineMs(parseDuration(settings.startDelay) ?? 0, input.plannedMs) / 1000);
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: settings.namespace, labels },
    spec: {
      completionMode: "Indexed",
      completions: input.runners,
      parallelism: input.runners,
      // A runner run twice would send its segment twice: a failed pod fails the step, it is never retried.
      backoffLimit: 0,
      activeDeadlineSeconds: deadlineSeconds,
      ttlSecondsAfterFinished: 600,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: "Never",
          hostNetwork: settings.hostNetwork,
          ...(settings.hostNetwork ? { dnsPolicy: "ClusterFirstWithHostNet" } : {}),
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 10,
          ...(Object.keys(settings.nodeSelector).length > 0 ? { nodeSelector: settings.nodeSelector } : {}),
          ...(settings.tolerations.length > 0 ? { tolerations: settings.tolerations } : {}),
          securityContext: { runAsUser: 65534, runAsGroup: 65534, runAsNonRoot: true },
          containers: [
            {
              name: "runner",
              image: settings.image,
              imagePullPolicy: settings.imagePullPolicy,
              command: ["/bin/sh", "-c", runnerScript],
              env: [
                { name: "BULWARK_RUNNERS", value: String(input.runners) },
                { name: "BULWARK_SEGMENT_SEQUENCE", value: input.sequence },
                { name: "BULWARK_START_AT", value: input.startAt },
                { name: planEnvVar, value: `${runnerMount}/${planKey}` },
              ],
              volumeMounts: [{ name: "scenario", mountPath: runnerMount, readOnly: true }],
              ...(settings.resources ? { resources: settings.resources } : {}),
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
            },
          ],
          volumes: [{ name: "scenario", configMap: { name } }],
        },
      },
    },
  };
}

export interface RunnerResult {
  index: number;
  engineExitCode: number;
  summary: unknown;
}

/**
 * A pod's log split into the engine's own lines and its result line (the last line carrying the marker);
 * result is null when the pod printed none (it died before the engine ended, or never ran it).
 */
export function parseRunnerLog(log: string): { engineLog: string; result: RunnerResult | null } {
  const lines = log.split("\n");
  const at = lines.findLastIndex((line) => line.startsWith(resultMarker));
  if (at < 0) return { engineLog: log, result: null };
  let result: RunnerResult | null = null;
  try {
    const parsed = JSON.parse(lines[at]!.slice(resultMarker.length)) as Partial<RunnerResult>;
    if (typeof parsed.index === "number" && typeof parsed.engineExitCode === "number") result = { index: parsed.index, engineExitCode: parsed.engineExitCode, summary: parsed.summary ?? null };
  } catch {
    result = null;
  }
  return { engineLog: [...lines.slice(0, at), ...lines.slice(at + 1)].join("\n"), result };
}
