// The real worker node: kubelet and containerd (with runc and the CNI bridge) in a network namespace of
// our own, joined to the local control plane next to the simulated nodes, tainted so that only workloads
// that ask for it land there. Everything it creates on the host is removed by `down`, and by the next
// `up` after a crashed run.
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ToolingError } from "../../../core/errors.ts";
import { tail } from "../../../core/exec.ts";
import { waitForOrThrow } from "../../../core/wait-for.ts";
import type { BinaryPaths } from "../build.ts";
import type { Kubectl } from "../kubectl.ts";
import { statePaths } from "../paths.ts";
import { containerdConfig, cniConfig, kubeletConfig, kubeletKubeconfig } from "./configs.ts";
import { bridgeSource, daemons, nodeProcesses, removePidFiles, startDaemon, stopProcesses, type DaemonProcess } from "./daemons.ts";
import { cgroupProcesses, createCgroupRoot, nodeCgroups, nodeMounts, removeCgroups, unmountAll } from "./host-state.ts";
import { ctrFor, ensureImages, importLatestBuild } from "./images.ts";
import { realNodeLabel, realNodeName, realNodePaths } from "./layout.ts";
import { createNetwork, networkLeftovers, realNodeNetwork, removeNetwork } from "./network.ts";

export { realNodeName, realNodeTaint, realNodeLabel, pauseImage } from "./layout.ts";
export { realNodeNetwork, inPodCidr, type RealNodeNetwork } from "./network.ts";

export const realNodeBinaries = ["kubelet", "containerd", "containerd-shim-runc-v2", "ctr", "runc", "cni-bridge", "cni-host-local", "cni-loopback"] as const;

export interface RealNodeUp {
  node: string;
  state: "reused" | "started";
  seconds: number;
}

async function apiServerPort(): Promise<number> {
  const kubeconfig = await readFile(statePaths.kubeconfig(), "utf8");
  const port = /server:\s*https:\/\/127\.0\.0\.1:(\d+)/.exec(kubeconfig)?.[1];
  if (!port) throw new ToolingError(`real node: no https://127.0.0.1:<port> server in ${statePaths.kubeconfig()}`);
  return Number(port);
}

export async function nodeReady(kubectl: Kubectl): Promise<boolean> {
  const result = await kubectl.run(["get", "node", realNodeName, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"]);
  return result.code === 0 && result.stdout.trim() === "True";
}

async function healthy(kubectl: Kubectl): Promise<boolean> {
  const running = await daemons();
  return running.length === 4 && running.every((daemon) => daemon.alive) && (await nodeReady(kubectl));
}

/** Starts the real node, or reuses it when every process runs and the node is Ready. */
export async function upRealNode(binaries: BinaryPaths, kubectl: Kubectl, images: string[], log: (line: string) => void): Promise<RealNodeUp> {
  const started = Date.now();
  if (await healthy(kubectl)) {
    await ensureImages(binaries.ctr, images);
    return { node: realNodeName, state: "reused", seconds: (Date.now() - started) / 1000 };
  }
  const kwokConfig = await readFile(join(statePaths.kwokClusterDir(), "kwok.yaml"), "utf8").catch(() => "");
  if (kwokConfig.includes("--manage-all-nodes=true")) {
    throw new ToolingError("real node: this cluster's kwok-controller manages every node and would seize the real one; it was created by an older bulwark: recreate it (`bulwark local down --cluster`, then `up --cluster --real-node`)");
  }
  const leftovers = await cleanUp(kubectl);
  if (leftovers.removed.length > 0) log(`real node: removed what an earlier run left: ${leftovers.removed.join(", ")}`);
  if (leftovers.remaining.length > 0) throw new ToolingError(`real node: cannot start, an earlier run left ${leftovers.remaining.join(", ")}`);

  const network = realNodeNetwork();
  await createNetwork(network);
  await createCgroupRoot();
  for (const dir of [realNodePaths.dir(), realNodePaths.runDir(), realNodePaths.cniConfDir(), realNodePaths.cniBinDir(), realNodePaths.kubeletRoot(), realNodePaths.podLogs()]) {
    await mkdir(dir, { recursive: true });
  }
  await writeFile(realNodePaths.containerdConfig(), containerdConfig(binaries.runc));
  await writeFile(join(realNodePaths.cniConfDir(), "10-bulwark.conflist"), JSON.stringify(cniConfig(network), null, 2) + "\n");
  // containerd looks plugins up by their CNI type name.
  for (const [type, binary] of [["bridge", binaries["cni-bridge"]], ["host-local", binaries["cni-host-local"]], ["loopback", binaries["cni-loopback"]]] as const) {
    await symlink(binary, join(realNodePaths.cniBinDir(), type));
  }
  const pki = join(statePaths.kwokClusterDir(), "pki");
  const port = await apiServerPort();
  await writeFile(realNodePaths.kubeletConfig(), JSON.stringify(kubeletConfig(network, join(pki, "ca.crt")), null, 2) + "\n");
  await writeFile(
    realNodePaths.kubeletKubeconfig(),
    JSON.stringify(kubeletKubeconfig(`https://127.0.0.1:${port}`, join(pki, "ca.crt"), join(pki, "admin.crt"), join(pki, "admin.key")), null, 2) + "\n",
  );

  await startDaemon({ name: "api-bridge-host", command: process.execPath, args: ["-e", bridgeSource, "socket-to-tcp", realNodePaths.apiSocket(), "127.0.0.1", String(port)] });
  await waitForOrThrow(
    () => existsSync(realNodePaths.apiSocket()),
    { timeoutMs: 10_000, intervalMs: 50, description: "the API bridge's socket" },
    async () => new ToolingError(`real node: the API bridge did not start: ${await logTail("api-bridge-host")}`),
  );
  await startDaemon({ name: "api-bridge-node", command: process.execPath, args: ["-e", bridgeSource, "tcp-to-socket", realNodePaths.apiSocket(), "127.0.0.1", String(port)], network });

  const runtimeBin = dirname(binaries.containerd);
  await startDaemon({
    name: "containerd",
    command: binaries.containerd,
    args: ["--config", realNodePaths.containerdConfig()],
    // containerd finds its shim on PATH
    env: { ...process.env, PATH: `${runtimeBin}:${process.env.PATH ?? ""}` },
    network,
  });
  const ctr = ctrFor(binaries.ctr);
  await waitForOrThrow(async () => (await ctr.run(["version"])).code === 0, { timeoutMs: 30_000, intervalMs: 200, description: "containerd to answer" }, async () => new ToolingError(`real node: containerd did not start: ${await logTail("containerd")}`));
  await ensureImages(binaries.ctr, images);

  await startDaemon({
    name: "kubelet",
    command: binaries.kubelet,
    args: [
      `--config=${realNodePaths.kubeletConfig()}`,
      `--kubeconfig=${realNodePaths.kubeletKubeconfig()}`,
      `--root-dir=${realNodePaths.kubeletRoot()}`,
      `--hostname-override=${realNodeName}`,
      `--node-ip=${network.nodeIp}`,
      `--node-labels=${realNodeLabel.key}=${realNodeLabel.value},type=real`,
    ],
    network,
  });
  await waitForOrThrow(() => nodeReady(kubectl), { timeoutMs: 120_000, intervalMs: 500, description: "the real node to be Ready" }, async () => new ToolingError(`real node: ${realNodeName} not Ready within 120 s; kubelet log:\n${await logTail("kubelet")}`));
  log(`real node: ${realNodeName} Ready at ${network.nodeIp} (pods ${network.podCidr}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { node: realNodeName, state: "started", seconds: (Date.now() - started) / 1000 };
}

async function logTail(name: string): Promise<string> {
  return tail(await readFile(join(realNodePaths.logs(), `${name}.log`), "utf8").catch(() => "(no log)"), 12);
}

export interface RealNodeLeftovers {
  processes: number[];
  mounts: string[];
  cgroups: string[];
  network: string[];
}

/** Everything of the real node still on the host: empty after `down`. */
export async function realNodeLeftovers(): Promise<RealNodeLeftovers> {
  return {
    processes: [...new Set([...(await nodeProcesses()), ...(await cgroupProcesses())])],
    mounts: await nodeMounts(),
    cgroups: await nodeCgroups(),
    network: await networkLeftovers(realNodeNetwork()),
  };
}

/**
 * Stops kubelet first (so it restarts nothing), then every container and shim and containerd, then removes
 * mounts, cgroups, the network and the node's folders. Works from pid files and from what /proc, the
 * mount table and the cgroup tree show, so it also cleans after a SIGKILLed run.
 */
export async function cleanUp(kubectl?: Kubectl): Promise<{ removed: string[]; remaining: string[] }> {
  const before = await realNodeLeftovers();
  const removed: string[] = [];
  const kubelet = (await daemons()).find((daemon) => daemon.name === "kubelet" && daemon.alive);
  if (kubelet) await stopProcesses([kubelet.pid], 10_000);
  await stopProcesses(await cgroupProcesses(), 2_000);
  await stopProcesses(await nodeProcesses(), 10_000);
  await stopProcesses(await cgroupProcesses(), 2_000);
  if (before.processes.length > 0) removed.push(`${before.processes.length} processes`);
  const mountsLeft = await unmountAll();
  if (before.mounts.length > 0) removed.push(`${before.mounts.length - mountsLeft.length} mounts`);
  const cgroupsLeft = await removeCgroups();
  if (before.cgroups.length > 0) removed.push(`${before.cgroups.length - cgroupsLeft.length} cgroups`);
  await removeNetwork(realNodeNetwork());
  removed.push(...before.network);
  await removePidFiles();
  if (mountsLeft.length === 0) {
    await rm(realNodePaths.runDir(), { recursive: true, force: true });
    await rm(realNodePaths.dir(), { recursive: true, force: true });
  }
  if (kubectl) await kubectl.run(["delete", "node", realNodeName, "--ignore-not-found", "--wait=false"]);
  const after = await realNodeLeftovers();
  const remaining = [
    ...after.processes.map((pid) => `process ${pid}`),
    ...after.mounts.map((mount) => `mount ${mount}`),
    ...after.cgroups.map((cgroup) => `cgroup ${cgroup}`),
    ...after.network,
  ];
  return { removed, remaining };
}

export interface RealNodeStatus {
  node: string;
  ready: boolean;
  processes: DaemonProcess[];
  network: { nodeIp: string; podCidr: string; present: boolean };
  containers?: number;
}

export async function realNodeStatus(kubectl: Kubectl | undefined, ctrBinary: string | undefined): Promise<RealNodeStatus | undefined> {
  const processes = await daemons();
  const network = realNodeNetwork();
  const present = (await networkLeftovers(network)).length > 0;
  if (processes.length === 0 && !present) return undefined;
  const status: RealNodeStatus = {
    node: realNodeName,
    ready: kubectl ? await nodeReady(kubectl) : false,
    processes,
    network: { nodeIp: network.nodeIp, podCidr: network.podCidr, present },
  };
  if (ctrBinary && processes.some((daemon) => daemon.name === "containerd" && daemon.alive)) {
    const tasks = await ctrFor(ctrBinary).run(["tasks", "ls", "-q"]);
    if (tasks.code === 0) status.containers = tasks.stdout.split("\n").filter((line) => line.trim() !== "").length;
  }
  return status;
}

/**
 * Imports a locally built image that is rebuilt under new tags (the runner image) into the running node's
 * containerd (k8s.io namespace), replacing its earlier builds there; pods use it with imagePullPolicy: Never.
 */
export async function importIntoRealNode(ctrBinary: string | undefined, reference: string): Promise<"imported" | "present"> {
  const containerd = (await daemons()).find((daemon) => daemon.name === "containerd");
  if (!ctrBinary || !containerd?.alive) throw new ToolingError("real node: not running; start it with `bulwark local up --cluster --real-node`");
  return importLatestBuild(ctrBinary, reference);
}
