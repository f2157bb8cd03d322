// How simulated nodes and pods live, as KWOK Stage objects. The cluster is created with kwok's Stage CRD
// enabled (kwok-cluster.ts), so kwok-controller follows the Stage objects in the API, which `up` applies
// here and which can change on a running cluster without a restart: kwok's own default node and pod
// stages, read from the pinned kwok module, and two of bulwark's that make rollouts behave as on a real
// cluster: pods that take a while to become Ready, and a release whose pods never do.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { ToolingError } from "../../core/errors.ts";
import { exec, tail } from "../../core/exec.ts";
import type { Kubectl } from "./kubectl.ts";
import { kwokVersion } from "./pins.ts";

/** Pod (template) annotation: the pod starts at once and becomes Ready this long after, e.g. "2s" (a Go duration). */
export const simulatedReadyAfterAnnotation = "bulwark.dev/simulated-ready-after";
/** Pods with a container image of this tag (`bulwark/app:bad`) start but never become Ready: a bad release. */
export const neverReadyImageTag = "bad";

export const stageCrd = "stages.kwok.x-k8s.io";
const managedBy = { "app.kubernetes.io/managed-by": "bulwark" };

/** kwok's defaults as kwokctl would configure them for this cluster (fast pods, node heartbeats with leases). */
const kwokDefaultStageFiles = [
  "kustomize/stage/node/fast/node-initialize.yaml",
  "kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
  "kustomize/stage/pod/fast/pod-ready.yaml",
  "kustomize/stage/pod/fast/pod-complete.yaml",
  "kustomize/stage/pod/fast/pod-delete.yaml",
];

/** jq: does any container run the never-Ready tag? */
const runsNeverReadyImage = `any(.spec.containers[]; .image | endswith(":${neverReadyImageTag}"))`;
/** jq: is this pod's readiness bulwark's to simulate (a delay or a never-Ready release)? */
const readinessSimulatedByBulwark = `(.metadata.annotations["${simulatedReadyAfterAnnotation}"] != null) or ${runsNeverReadyImage}`;

interface StageObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: { selector?: { matchExpressions?: object[] } } & Record<string, unknown>;
}

const expression = (key: string, operator: "In" | "NotIn" | "Exists" | "DoesNotExist", values?: string[]) => ({ jq: { key, operator, ...(values ? { values } : {}) } });
const notDeleted = expression(".metadata.deletionTimestamp", "DoesNotExist");

/** Container statuses for every container of the pod, all running since the pod started; `ready` as given. */
function containerStatusesTemplate(ready: boolean): string {
  return `containerStatuses:
{{ range .spec.containers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  ready: ${ready}
  started: true
  restartCount: 0
  state:
    running:
      startedAt: {{ or $.status.startTime $now | Quote }}
{{ end }}`;
}

/** Pending -> Running but not Ready: the containers run, their readiness probe does not pass (yet). */
const startedUnready: StageObject = {
  apiVersion: "kwok.x-k8s.io/v1alpha1",
  kind: "Stage",
  metadata: { name: "bulwark-pod-started-unready", labels: managedBy },
  spec: {
    resourceRef: { apiGroup: "v1", kind: "Pod" },
    selector: { matchExpressions: [notDeleted, expression(".status.phase", "In", ["Pending"]), expression(readinessSimulatedByBulwark, "In", ["true"])] },
    next: {
      statusTemplate: `{{ $now := Now }}
phase: Running
startTime: {{ $now | Quote }}
conditions:
- type: Initialized
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
- type: ContainersReady
  status: "False"
  reason: ContainersNotReady
  lastTransitionTime: {{ $now | Quote }}
- type: Ready
  status: "False"
  reason: ContainersNotReady
  message: the readiness probe has not passed
  lastTransitionTime: {{ $now | Quote }}
${containerStatusesTemplate(false)}
{{ with NodeIPsWith .spec.nodeName }}
hostIP: {{ index . 0 | Quote }}
{{ end }}
{{ with PodIPsWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) }}
podIP: {{ index . 0 | Quote }}
podIPs:
{{ range . }}
- ip: {{ . | Quote }}
{{ end }}
{{ end }}
`,
    },
  },
};

/** Running, not Ready, with a readiness delay -> Ready once the delay (from the annotation) has passed. */
const readyAfterDelay: StageObject = {
  apiVersion: "kwok.x-k8s.io/v1alpha1",
  kind: "Stage",
  metadata: { name: "bulwark-pod-ready-after-delay", labels: managedBy },
  spec: {
    resourceRef: { apiGroup: "v1", kind: "Pod" },
    selector: {
      matchExpressions: [
        notDeleted,
        expression(".status.phase", "In", ["Running"]),
        expression('.status.conditions.[] | select( .type == "Ready" ) | .status', "NotIn", ["True"]),
        expression(`.metadata.annotations["${simulatedReadyAfterAnnotation}"]`, "Exists"),
        expression(runsNeverReadyImage, "NotIn", ["true"]),
      ],
    },
    delay: { durationMilliseconds: 0, durationFrom: { jq: { expression: `.metadata.annotations["${simulatedReadyAfterAnnotation}"]` } } },
    next: {
      statusTemplate: `{{ $now := Now }}
conditions:
- type: Initialized
  status: "True"
  lastTransitionTime: {{ or .status.startTime $now | Quote }}
- type: ContainersReady
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
- type: Ready
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
${containerStatusesTemplate(true)}
`,
    },
  },
};

/** bulwark's own stages (exported for tests and docs). */
export const bulwarkStages: readonly StageObject[] = [startedUnready, readyAfterDelay];

/** kwok's default pod-ready, told to leave alone the pods whose readiness bulwark's stages simulate. */
export function withoutBulwarkPods(stage: StageObject): StageObject {
  if (stage.metadata.name !== "pod-ready") return stage;
  const expressions = stage.spec.selector?.matchExpressions ?? [];
  return { ...stage, spec: { ...stage.spec, selector: { ...stage.spec.selector, matchExpressions: [...expressions, expression(readinessSimulatedByBulwark, "NotIn", ["true"])] } } };
}

/** The folder of the pinned kwok module (downloaded once by the Go toolchain, like the cluster's builds). */
async function kwokModuleDir(): Promise<string> {
  const scratch = await mkdtemp(join(tmpdir(), "bulwark-kwok-"));
  try {
    const env = { ...process.env, GOWORK: "off", GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod" };
    const download = await exec("go", ["mod", "download", "-json", `sigs.k8s.io/kwok@${kwokVersion}`], { cwd: scratch, env });
    const module = download.code === 0 ? (JSON.parse(download.stdout) as { Dir?: string }) : {};
    if (!module.Dir) throw new ToolingError(`cluster: go mod download sigs.k8s.io/kwok@${kwokVersion} failed (its default stages are needed):\n${tail(download.stdout + download.stderr, 8)}`);
    return module.Dir;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Every Stage object of the cluster: kwok's defaults (pod-ready adjusted) and bulwark's. */
export async function clusterStages(): Promise<StageObject[]> {
  const { loadAllYaml } = await import("@kubernetes/client-node");
  const dir = await kwokModuleDir();
  const defaults: StageObject[] = [];
  for (const file of kwokDefaultStageFiles) {
    for (const object of loadAllYaml(await readFile(join(dir, file), "utf8")) as StageObject[]) {
      if (object?.kind === "Stage") defaults.push(withoutBulwarkPods({ ...object, metadata: { ...object.metadata, labels: { ...object.metadata.labels, ...managedBy } } }));
    }
  }
  return [...defaults, ...bulwarkStages];
}

/** Whether kwok-controller reads Stage objects in this cluster (clusters created before bulwark enabled them do not). */
export async function stagesEnabled(kubectl: Kubectl): Promise<boolean> {
  return (await kubectl.run(["get", "crd", stageCrd, "-o", "name"])).code === 0;
}

/**
 * Applies the stages (idempotent). On a cluster created without the Stage CRD, kwok-controller keeps the
 * stages it was started with: nothing is applied and the log says how to get them.
 */
export async function applyKwokStages(kubectl: Kubectl, log: (line: string) => void): Promise<boolean> {
  if (!(await stagesEnabled(kubectl))) {
    log(
      "cluster: this cluster was created without KWOK's Stage CRD: pods become Ready at once, also with a readiness delay or a ':bad' image; " +
        "recreate it for rollout realism (`bulwark local down --cluster && bulwark local up --cluster`)",
    );
    return false;
  }
  let items: StageObject[];
  try {
    items = await clusterStages();
  } catch (error) {
    // A running cluster keeps the stages it has; a new one cannot simulate a node without them.
    const present = (await kubectl.run(["get", stageCrd, "node-initialize", "-o", "name"])).code === 0;
    if (!present) throw error;
    log(`cluster: keeping the KWOK stages already in the cluster: ${error instanceof Error ? error.message : String(error)}`);
    return true;
  }
  const list = { apiVersion: "v1", kind: "List", items };
  await kubectl.must(["apply", "--server-side", "--force-conflicts", "--field-manager=bulwark-local", "-f", "-"], JSON.stringify(list));
  return true;
}
