// The control plane: kwokctl's binary runtime running our own builds of etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler, kwok-controller and metrics-server, all bound to 127.0.0.1.
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ToolingError } from "../../core/errors.ts";
import { exec, tail } from "../../core/exec.ts";
import { waitForOrThrow } from "../../core/wait-for.ts";
import type { BinaryPaths } from "./build.ts";
import type { Kubectl } from "./kubectl.ts";
import { clusterName, stateDir, statePaths } from "./paths.ts";
import { clusterProcesses } from "./processes.ts";

/** Simulated nodes: enough room for the tests' Deployments and HPA scale-outs. */
export const simulatedNodes = ["kwok-node-0", "kwok-node-1", "kwok-node-2"];
/** Marks a node as kwok-controller's to simulate. */
export const simulatedNodeAnnotation = "kwok.x-k8s.io/node";

/** How quickly the HPA loop and metrics pipeline react, so HPA tests take seconds rather than minutes. */
export const timings = {
  hpaSyncPeriod: "5s",
  /** metrics-server refuses anything under 10 s, and requires it to be above its kubelet request timeout */
  metricResolution: "10s",
  metricsRequestTimeout: "5s",
  /** pods become Ready at once on KWOK; the default 5 min would make the HPA ignore fresh pods' CPU */
  hpaCpuInitializationPeriod: "10s",
  hpaInitialReadinessDelay: "5s",
};

export function kwokctlConfiguration(binaries: BinaryPaths, metricsServerManifests: string): object {
  // kwokctl appends an extra arg, or with override replaces one it already passes (and ignores it otherwise).
  const arg = (key: string, value: string) => ({ key, value, override: false });
  const replaceArg = (key: string, value: string) => ({ key, value, override: true });
  return {
    apiVersion: "config.kwok.x-k8s.io/v1alpha1",
    kind: "KwokctlConfiguration",
    options: {
      runtime: "binary",
      bindAddress: "127.0.0.1",
      enable: ["metrics-server"],
      // Stages are API objects (scripts/local/cluster/kwok-stages.ts): `up` applies them, and they can change without a restart.
      enableCRDs: ["Stage"],
      quietPull: true,
      kubeApiserverBinary: binaries["kube-apiserver"],
      kubeControllerManagerBinary: binaries["kube-controller-manager"],
      kubeSchedulerBinary: binaries["kube-scheduler"],
      kubectlBinary: binaries.kubectl,
      etcdBinary: binaries.etcd,
      kwokControllerBinary: binaries.kwok,
      metricsServerBinary: binaries["metrics-server"],
      metricsServerManifests: [metricsServerManifests],
    },
    componentsPatches: [
      {
        // A real kubelet (the real node) may join: kwok-controller leaves it alone (kwokctl's default is
        // --manage-all-nodes, which seizes it within a second) and manages only the simulated nodes, which
        // carry this annotation. Set at creation: restarting kwok-controller on a live cluster broke its leases.
        name: "kwok-controller",
        extraArgs: [replaceArg("manage-all-nodes", "false"), arg("manage-nodes-with-annotation-selector", `${simulatedNodeAnnotation}=fake`)],
      },
      {
        // Reach a real kubelet by its node IP (the `vm` Hostname resolves to 127.0.0.1) and authenticate to it
        // with a client certificate, so that `kubectl logs` and exec work on real pods.
        name: "kube-apiserver",
        extraArgs: [
          arg("kubelet-preferred-address-types", "InternalIP"),
          arg("kubelet-client-certificate", join(statePaths.kwokClusterDir(), "pki", "admin.crt")),
          arg("kubelet-client-key", join(statePaths.kwokClusterDir(), "pki", "admin.key")),
        ],
      },
      {
        name: "kube-controller-manager",
        extraArgs: [
          arg("horizontal-pod-autoscaler-sync-period", timings.hpaSyncPeriod),
          arg("horizontal-pod-autoscaler-cpu-initialization-period", timings.hpaCpuInitializationPeriod),
          arg("horizontal-pod-autoscaler-initial-readiness-delay", timings.hpaInitialReadinessDelay),
        ],
      },
      {
        name: "metrics-server",
        extraArgs: [replaceArg("metric-resolution", timings.metricResolution), arg("kubelet-request-timeout", timings.metricsRequestTimeout)],
      },
    ],
  };
}

function kwokctlEnv(): NodeJS.ProcessEnv {
  return { ...process.env, KWOK_WORKDIR: statePaths.kwokWorkdir() };
}

async function kwokctl(binaries: Pick<BinaryPaths, "kwokctl">, args: string[], timeoutMs = 5 * 60_000) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    return await exec(binaries.kwokctl, ["--name", clusterName, ...args], { env: kwokctlEnv(), signal: controller.signal });
  } finally {
    clearTimeout(timer);
  }
}

export function clusterExists(): boolean {
  return existsSync(statePaths.kwokClusterDir());
}

export async function isApiReady(kubectl: Kubectl): Promise<boolean> {
  if (!existsSync(statePaths.kubeconfig())) return false;
  const result = await kubectl.run(["get", "--raw", "/readyz"]).catch(() => undefined);
  return result?.code === 0 && result.stdout.trim() === "ok";
}

async function waitForApi(kubectl: Kubectl, timeoutMs: number): Promise<void> {
  await waitForOrThrow(
    () => isApiReady(kubectl),
    { timeoutMs, intervalMs: 500, description: "the API server to be ready" },
    () => new ToolingError(`cluster: the API server did not become ready within ${timeoutMs / 1000} s (logs: ${statePaths.kwokClusterDir()}/logs)`),
  );
}

/** True when the cluster's state exists, every kwokctl process runs and the API server is ready. */
export async function controlPlaneHealthy(kubectl: Kubectl): Promise<boolean> {
  if (!clusterExists()) return false;
  const kwokProcesses = (await clusterProcesses()).filter((process) => process.name !== "chaos-controller-manager");
  return kwokProcesses.length > 0 && kwokProcesses.every((process) => process.alive) && (await isApiReady(kubectl));
}

/** Creates the cluster with kwokctl's binary runtime; the caller removed any previous state. */
export async function createControlPlane(binaries: BinaryPaths, metricsServerManifests: string, kubectl: Kubectl): Promise<void> {
  await mkdir(stateDir(), { recursive: true });
  await writeFile(statePaths.kwokctlConfig(), JSON.stringify(kwokctlConfiguration(binaries, metricsServerManifests), null, 2) + "\n");
  const created = await kwokctl(binaries, [
    "create",
    "cluster",
    "--runtime",
    "binary",
    "--config",
    statePaths.kwokctlConfig(),
    "--kubeconfig",
    statePaths.kubeconfig(),
    "--wait",
    "2m",
  ]);
  if (created.code !== 0) {
    throw new ToolingError(`cluster: kwokctl create cluster failed (logs: ${statePaths.kwokClusterDir()}/logs):\n${tail(created.stderr || created.stdout, 15)}`);
  }
  await waitForApi(kubectl, 120_000);
}

export async function deleteControlPlane(binaries: Partial<Pick<BinaryPaths, "kwokctl">>): Promise<string | undefined> {
  if (!clusterExists()) return undefined;
  if (binaries.kwokctl) {
    const deleted = await kwokctl({ kwokctl: binaries.kwokctl }, ["delete", "cluster", "--kubeconfig", statePaths.kubeconfig()]);
    if (deleted.code === 0) return undefined;
    return tail(deleted.stderr || deleted.stdout, 5);
  }
  return "kwokctl binary not built";
}

function nodeManifest(name: string): object {
  const resources = { cpu: "16", memory: "64Gi", pods: "110" };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      annotations: {
        [simulatedNodeAnnotation]: "fake",
        "node.alpha.kubernetes.io/ttl": "0",
        // kwok-controller serves each simulated node's resource metrics under its own path; metrics-server reads this
        "metrics.k8s.io/resource-metrics-path": `/metrics/nodes/${name}/metrics/resource`,
      },
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "node-role.kubernetes.io/agent": "",
        type: "kwok",
      },
    },
    spec: {},
    status: { allocatable: resources, capacity: resources },
  };
}

/** Registers the simulated nodes (idempotent) and waits until kwok-controller reports them Ready. */
export async function ensureNodes(kubectl: Kubectl, timeoutMs = 60_000): Promise<void> {
  const list = { apiVersion: "v1", kind: "List", items: simulatedNodes.map(nodeManifest) };
  await kubectl.must(["apply", "-f", "-"], JSON.stringify(list));
  let ready: string[] = [];
  await waitForOrThrow(
    async () => {
      ready = await readyNodes(kubectl);
      return simulatedNodes.every((name) => ready.includes(name));
    },
    { timeoutMs, intervalMs: 500, description: "the simulated nodes to be Ready" },
    () => new ToolingError(`cluster: simulated nodes not Ready within ${timeoutMs / 1000} s (ready: ${ready.join(", ") || "none"})`),
  );
}

export async function readyNodes(kubectl: Kubectl): Promise<string[]> {
  const result = await kubectl.run(["get", "nodes", "-o", "json"]);
  if (result.code !== 0) return [];
  const nodes = JSON.parse(result.stdout) as { items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[] };
  return nodes.items
    .filter((node) => node.status?.conditions?.some((condition) => condition.type === "Ready" && condition.status === "True"))
    .map((node) => node.metadata.name);
}

/** Waits until the aggregated metrics API (metrics-server behind kube-apiserver) answers. */
export async function waitForMetricsApi(kubectl: Kubectl, timeoutMs: number): Promise<void> {
  let stderr = "";
  await waitForOrThrow(
    async () => {
      const result = await kubectl.run(["get", "--raw", "/apis/metrics.k8s.io/v1beta1/nodes"]);
      stderr = result.stderr;
      return result.code === 0;
    },
    { timeoutMs, intervalMs: 1000, description: "the metrics API to answer" },
    async () => {
      const log = await readFile(join(statePaths.kwokClusterDir(), "logs", "metrics-server.log"), "utf8").catch(() => "");
      return new ToolingError(`cluster: the metrics API did not answer within ${timeoutMs / 1000} s: ${tail(stderr, 2)}\nmetrics-server log:\n${tail(log, 8)}`);
    },
  );
}
