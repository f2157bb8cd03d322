// Public surface of the local Kubernetes test cluster: real control plane, HPA controller,
// metrics-server and Chaos Mesh controller, on simulated (KWOK) nodes. Used by `bulwark local` and tests.
import { existsSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { ToolingError } from "../../core/errors.ts";
import { formatDuration, table } from "../../core/output.ts";
import { builtBinaries, ensureBinaries, assetPath, type BinaryPaths } from "./build.ts";
import { chaosControllerAlive, ensureChaosController, installCrds, stopChaosController } from "./chaos-mesh.ts";
import { kubectlFor, type Kubectl } from "./kubectl.ts";
import { clusterExists, controlPlaneHealthy, simulatedNodes, createControlPlane, deleteControlPlane, ensureNodes, isApiReady, readyNodes, waitForMetricsApi } from "./kwok-cluster.ts";
import { isProcessAlive, withLock } from "../../core/process-lock.ts";
import { cameWithin } from "../../core/wait-for.ts";
import { clusterLockPath, stateDir, statePaths, waitingFor } from "./paths.ts";
import { chaosMeshVersion, etcdVersion, kubernetesVersion, kwokVersion, metricsServerVersion } from "./pins.ts";
import { clusterProcesses, listeningPorts } from "./processes.ts";
import type { BinaryName } from "./recipes.ts";
import { cleanUp as cleanUpRealNode, importIntoRealNode, realNodeBinaries, realNodeStatus, upRealNode, type RealNodeStatus, type RealNodeUp } from "./real-node/index.ts";
import { resolveImage } from "../containers/images.ts";
import { realNodeBuildPackagesPresent } from "../../setup/real-node.ts";
import { applyDemoWorkloads } from "./demo-workloads/index.ts";
import { applyKwokStages } from "./kwok-stages.ts";

export { kubectlFor, type Kubectl } from "./kubectl.ts";
export { builtBinaries, ensureBinaries } from "./build.ts";
export { simulatedNodes, timings } from "./kwok-cluster.ts";
export { clusterProcesses, listeningPorts } from "./processes.ts";
export { chaosNamespace } from "./chaos-mesh.ts";
export { realNodeName, realNodeTaint, realNodeLabel, realNodeNetwork, inPodCidr, realNodeLeftovers, nodeReady, type RealNodeNetwork } from "./real-node/index.ts";
export { startFront, type LoopbackFront, type EndpointChange } from "./real-node/front.ts";
export { demoAppManifests, demoAppPort, type DemoAppOptions } from "./real-node/demo-app.ts";
export { demoNamespace, applyDemoWorkloads } from "./demo-workloads/index.ts";
export { simulatedReadyAfterAnnotation, neverReadyImageTag, stagesEnabled } from "./kwok-stages.ts";

export interface ClusterOptions {
  log: (line: string) => void;
  abortSignal?: AbortSignal;
  /** also start the real node (kubelet and containerd in a network namespace of its own) */
  realNode?: boolean;
}

export interface UpResult {
  kubeconfig: string;
  controlPlane: "reused" | "created";
  /** whether chaos-controller-manager runs (false when it could not be built or started) */
  chaosMesh: { running: boolean; problem?: string };
  /** recipes built during this call */
  built: { name: string; seconds: number }[];
  realNode?: RealNodeUp;
  seconds: number;
}

export interface ClusterStatus {
  running: boolean;
  kubeconfig?: string;
  versions: Record<string, string>;
  binaries: { built: string[]; missing: string[] };
  apiServer: { ready: boolean; serverVersion?: string };
  nodes: { ready: string[] };
  metricsApi: { available: boolean };
  chaosMesh: { crds: boolean; controller: boolean; pid?: number };
  processes: { name: string; pid: number; alive: boolean; listening: string[] }[];
  realNode?: RealNodeStatus;
}

export const requiredForControlPlane: BinaryName[] = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "kwok", "kwokctl", "metrics-server"];

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw new ToolingError("cluster: interrupted");
}

/** Builds what is missing (once per pin), then starts the cluster or reuses the running one. Safe to call repeatedly. */
export async function up(options: ClusterOptions): Promise<UpResult> {
  const started = Date.now();
  const { log } = options;
  if (options.realNode && !(await builtBinaries()).runc && !(await realNodeBuildPackagesPresent())) {
    throw new ToolingError("cluster: the real node's runc is built with cgo against libseccomp, whose headers are missing: run `bulwark setup --cluster` (installs libseccomp-dev)");
  }
  const report = await ensureBinaries(log, { realNode: options.realNode });
  checkAbort(options.abortSignal);
  const missing = [...requiredForControlPlane, ...(options.realNode ? realNodeBinaries : [])].filter((name) => !report.binaries[name]);
  if (missing.length > 0) {
    const reasons = report.failed.map((failure) => `${failure.name}: ${failure.reason}`).join("\n");
    throw new ToolingError(`cluster: cannot start without ${missing.join(", ")}\n${reasons}`);
  }
  const binaries = report.binaries as BinaryPaths;
  const kubectl = kubectlFor(binaries.kubectl);

  const metricsServerManifests = await assetPath("metrics-server", "manifests");
  if (!metricsServerManifests) throw new ToolingError("cluster: metrics-server manifests missing from its build");

  return withLock(clusterLockPath("cluster-up"), waitingFor("cluster-up", log), async () => {
    let controlPlane: UpResult["controlPlane"] = "reused";
    if (!(await controlPlaneHealthy(kubectl))) {
      if (clusterExists()) {
        // A restarted KWOK cluster (after a reboot or a killed process) can come back with a wedged
        // kwok-controller; a fresh cluster takes seconds, so stale state is replaced rather than revived.
        log("cluster: previous state found but not every process runs; replacing it with a fresh cluster");
        await stopAndRemove(log);
      }
      await createControlPlane(binaries, metricsServerManifests, kubectl);
      controlPlane = "created";
    }
    checkAbort(options.abortSignal);
    // Before the nodes: with the Stage CRD on, kwok-controller simulates nothing until the stages exist.
    await applyKwokStages(kubectl, log);
    await ensureNodes(kubectl);
    await waitForMetricsApi(kubectl, 90_000);
    const chaosMesh = await startChaosMesh(binaries, kubectl, report.failed, log);
    await applyDemoWorkloads(kubectl);
    checkAbort(options.abortSignal);
    const realNode = options.realNode ? await upRealNode(binaries, kubectl, [resolveImage("demo-target").reference], log) : undefined;
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    log(`cluster: ${controlPlane === "reused" ? "already running" : controlPlane} in ${formatDuration(Date.now() - started)}; Kubernetes ${kubernetesVersion}, ${(await readyNodes(kubectl)).filter((name) => simulatedNodes.includes(name)).length} simulated nodes${realNode ? `, real node ${realNode.node}` : ""}${chaosMesh.running ? ", Chaos Mesh" : ""}`);
    log(`cluster: use it with  export KUBECONFIG=${statePaths.kubeconfig()}   (or: export KUBECONFIG=$(bulwark local kubeconfig))`);
    return { kubeconfig: statePaths.kubeconfig(), controlPlane, chaosMesh, built: report.built, ...(realNode ? { realNode } : {}), seconds };
  });
}

async function startChaosMesh(binaries: Partial<BinaryPaths>, kubectl: Kubectl, failed: { name: string; reason: string }[], log: (line: string) => void): Promise<UpResult["chaosMesh"]> {
  const crdFile = await assetPath("chaos-mesh", "crd.yaml");
  const binary = binaries["chaos-controller-manager"];
  if (!crdFile || !binary) {
    const problem = `Chaos Mesh is not available: ${failed.find((failure) => failure.name === "chaos-mesh")?.reason ?? "not built"}`;
    log(`cluster: ${problem}`);
    return { running: false, problem };
  }
  try {
    await installCrds(kubectl, crdFile);
    await ensureChaosController(binary, kubectl, statePaths.kubeconfig(), log);
    return { running: true };
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    log(`cluster: ${problem}`);
    return { running: false, problem };
  }
}

/** Stops every process the cluster started and removes its state. Safe when nothing runs. */
export async function down(options: Omit<ClusterOptions, "abortSignal">): Promise<void> {
  await withLock(clusterLockPath("cluster-up"), waitingFor("cluster-up", options.log), () => stopAndRemove(options.log));
}

async function stopAndRemove(log: (line: string) => void): Promise<void> {
  // The real node first: its kubelet must not outlive the API server it reports to.
  const realNode = await cleanUpRealNode();
  if (realNode.removed.length > 0) log(`cluster: real node removed (${realNode.removed.join(", ")})`);
  if (realNode.remaining.length > 0) log(`cluster: real node left behind: ${realNode.remaining.join(", ")}`);
  const before = await clusterProcesses();
  await stopChaosController();
  const problem = await deleteControlPlane(await builtBinaries());
  if (problem) log(`cluster: kwokctl delete cluster reported: ${problem}; stopping its processes directly`);
  // kwokctl signals its processes without waiting for them; whatever is still alive after a grace
  // period (or when kwokctl is missing) is killed by its recorded pid.
  await waitForExit(before.map((process) => process.pid), 15_000);
  for (const process of before) if (isProcessAlive(process.pid) && ownedByCluster(process.pid)) killQuietly(process.pid);
  await waitForExit(before.map((process) => process.pid), 5_000);
  await rm(stateDir(), { recursive: true, force: true });
  log(existsSync(stateDir()) ? "cluster: state could not be removed" : before.length > 0 ? `cluster: stopped ${before.length} processes and removed ${stateDir()}` : "cluster: nothing was running");
}

/** Guards against pid reuse: only processes started from this cluster's folder are ours to kill. */
function ownedByCluster(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(stateDir());
  } catch {
    return false;
  }
}

async function waitForExit(pids: number[], timeoutMs: number): Promise<void> {
  await cameWithin(() => !pids.some(isProcessAlive), { timeoutMs, intervalMs: 100, description: "the cluster's processes to exit" });
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

export async function status(): Promise<ClusterStatus> {
  const binaries = await builtBinaries();
  const allBinaries: BinaryName[] = [...requiredForControlPlane, "chaos-controller-manager"];
  const processes = await clusterProcesses();
  const ports = await listeningPorts(processes.filter((process) => process.alive).map((process) => process.pid));
  const result: ClusterStatus = {
    running: false,
    versions: { kubernetes: kubernetesVersion, etcd: etcdVersion, kwok: kwokVersion, "metrics-server": metricsServerVersion, "chaos-mesh": chaosMeshVersion },
    binaries: { built: allBinaries.filter((name) => binaries[name]), missing: allBinaries.filter((name) => !binaries[name]) },
    apiServer: { ready: false },
    nodes: { ready: [] },
    metricsApi: { available: false },
    chaosMesh: { crds: false, controller: false },
    processes: processes.map((process) => ({
      ...process,
      listening: ports.filter((port) => port.pid === process.pid).map((port) => `${port.address}:${port.port}`),
    })),
  };
  const kubectl = binaries.kubectl && clusterExists() ? kubectlFor(binaries.kubectl) : undefined;
  const realNode = await realNodeStatus(kubectl, binaries.ctr);
  if (realNode) result.realNode = realNode;
  if (!kubectl) return result;
  result.kubeconfig = statePaths.kubeconfig();
  result.apiServer.ready = await isApiReady(kubectl);
  if (!result.apiServer.ready) return result;
  result.running = true;
  const version = await kubectl.run(["version", "-o", "json"]);
  if (version.code === 0) result.apiServer.serverVersion = (JSON.parse(version.stdout) as { serverVersion?: { gitVersion?: string } }).serverVersion?.gitVersion;
  result.nodes.ready = await readyNodes(kubectl);
  result.metricsApi.available = (await kubectl.run(["get", "--raw", "/apis/metrics.k8s.io/v1beta1/nodes"])).code === 0;
  result.chaosMesh.crds = (await kubectl.run(["get", "crd", "podchaos.chaos-mesh.org", "-o", "name"])).code === 0;
  const chaos = await chaosControllerAlive();
  result.chaosMesh.controller = Boolean(chaos);
  if (chaos) result.chaosMesh.pid = chaos.pid;
  return result;
}

export function formatStatus(status: ClusterStatus): string {
  const yesNo = (value: boolean) => (value ? "yes" : "no");
  const lines = [
    `cluster: ${status.running ? "running" : "not running"}${status.kubeconfig ? ` (KUBECONFIG=${status.kubeconfig})` : ""}`,
    `  versions: ${Object.entries(status.versions).map(([name, version]) => `${name} ${version}`).join(", ")}`,
    `  binaries built: ${status.binaries.built.length}/${status.binaries.built.length + status.binaries.missing.length}${status.binaries.missing.length > 0 ? ` (missing: ${status.binaries.missing.join(", ")})` : ""}`,
    `  API server ready: ${yesNo(status.apiServer.ready)}${status.apiServer.serverVersion ? ` (${status.apiServer.serverVersion})` : ""}`,
    `  nodes ready: ${status.nodes.ready.length > 0 ? status.nodes.ready.join(", ") : "none"}`,
    `  metrics API: ${yesNo(status.metricsApi.available)}`,
    `  Chaos Mesh: CRDs ${yesNo(status.chaosMesh.crds)}, controller ${yesNo(status.chaosMesh.controller)}${status.chaosMesh.pid ? ` (pid ${status.chaosMesh.pid})` : ""}`,
    status.realNode
      ? `  real node: ${status.realNode.node} ready ${yesNo(status.realNode.ready)}, node IP ${status.realNode.network.nodeIp}, pods ${status.realNode.network.podCidr}${status.realNode.containers !== undefined ? `, ${status.realNode.containers} containers` : ""}; ${status.realNode.processes.map((daemon) => `${daemon.name} ${daemon.alive ? daemon.pid : "dead"}`).join(", ")}`
      : "  real node: none (start it with `bulwark local up --cluster --real-node`)",
  ];
  if (status.processes.length > 0) {
    lines.push(
      table([
        ["process", "pid", "alive", "listening"],
        ...status.processes.map((process) => [process.name, String(process.pid), yesNo(process.alive), process.listening.join(" ")]),
      ])
        .split("\n")
        .map((line) => `  ${line}`)
        .join("\n"),
    );
  }
  return lines.join("\n");
}

/** Puts a locally built image (the runner image) into the running real node's containerd, for imagePullPolicy: Never. */
export async function importImageIntoRealNode(reference: string): Promise<"imported" | "present"> {
  return importIntoRealNode((await builtBinaries()).ctr, reference);
}

export async function kubeconfigPath(): Promise<string> {
  if (!existsSync(statePaths.kubeconfig())) throw new ToolingError("local kubeconfig: the cluster is not running; start it with `bulwark local up --cluster`");
  return statePaths.kubeconfig();
}
