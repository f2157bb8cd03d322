// The real node's long-running processes (containerd, kubelet, the API server bridge): started detached
// so they outlive `bulwark local up`, each with a pid file and a log, some inside the node's namespace.
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isProcessAlive } from "../../../core/process-lock.ts";
import { cameWithin } from "../../../core/wait-for.ts";
import { realNodePaths } from "./layout.ts";
import type { RealNodeNetwork } from "./network.ts";

export interface DaemonSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /**
   * Run inside the node's network namespace with `nsenter --net=` (not `ip netns exec`: its private mount
   * namespace hides the cgroup mounts and kubelet dies).
   */
  network?: RealNodeNetwork;
}

export async function startDaemon(spec: DaemonSpec): Promise<number> {
  await mkdir(realNodePaths.logs(), { recursive: true });
  await mkdir(realNodePaths.pids(), { recursive: true });
  const log = openSync(join(realNodePaths.logs(), `${spec.name}.log`), "a");
  const [command, args] = spec.network ? ["nsenter", [`--net=${spec.network.netnsPath}`, spec.command, ...spec.args]] : [spec.command, spec.args];
  const child = spawn(command, args, { detached: true, stdio: ["ignore", log, log], env: spec.env ?? process.env });
  closeSync(log);
  const pid = child.pid;
  child.unref();
  if (!pid) throw new Error(`real node: could not start ${spec.name}`);
  await writeFile(join(realNodePaths.pids(), `${spec.name}.pid`), `${pid}\n`);
  return pid;
}

export interface DaemonProcess {
  name: string;
  pid: number;
  alive: boolean;
}

export async function daemons(): Promise<DaemonProcess[]> {
  const result: DaemonProcess[] = [];
  for (const file of (await readdir(realNodePaths.pids()).catch(() => [])).filter((name) => name.endsWith(".pid")).sort()) {
    const pid = Number.parseInt(await readFile(join(realNodePaths.pids(), file), "utf8").catch(() => ""), 10);
    if (Number.isFinite(pid) && pid > 0) result.push({ name: file.replace(/\.pid$/, ""), pid, alive: isProcessAlive(pid) && ownedByNode(pid) });
  }
  return result;
}

/**
 * Guards against pid reuse: a process is the node's when its command line names the node's own folders
 * (not the cluster's: the control plane's processes name those).
 */
export function ownedByNode(pid: number): boolean {
  try {
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return commandLine.includes(realNodePaths.dir() + "/") || commandLine.includes(realNodePaths.runDir() + "/");
  } catch {
    return false;
  }
}

/** Processes whose command line names the node's folders: daemons, containerd's shims, a crashed run's leftovers. */
export async function nodeProcesses(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc").catch(() => [])) {
    const pid = Number(entry);
    if (Number.isInteger(pid) && pid !== process.pid && ownedByNode(pid)) pids.push(pid);
  }
  return pids;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** SIGTERM, a grace period, then SIGKILL for what is left. */
export async function stopProcesses(pids: number[], graceMs: number): Promise<void> {
  for (const pid of pids) signal(pid, "SIGTERM");
  await cameWithin(() => !pids.some(isProcessAlive), { timeoutMs: graceMs, intervalMs: 100, description: "the real node's processes to exit" });
  for (const pid of pids) if (isProcessAlive(pid)) signal(pid, "SIGKILL");
  await cameWithin(() => !pids.some(isProcessAlive), { timeoutMs: 5_000, intervalMs: 100, description: "the real node's processes to be killed" });
}

export async function removePidFiles(): Promise<void> {
  await rm(realNodePaths.pids(), { recursive: true, force: true });
}

/**
 * Forwards connections between a Unix socket and a TCP address, both ways: the API server listens on the
 * host's 127.0.0.1 only, so inside the namespace a listener on its 127.0.0.1 reaches it through a socket
 * (the address is the same, so the API server's certificate still matches).
 */
export const bridgeSource = `
const net = require("node:net");
const fs = require("node:fs");
const [mode, socketPath, host, port] = process.argv.slice(1);
const pipe = (a, b) => { a.pipe(b); b.pipe(a); a.on("error", () => b.destroy()); b.on("error", () => a.destroy()); a.on("close", () => b.destroy()); b.on("close", () => a.destroy()); };
if (mode === "socket-to-tcp") {
  fs.rmSync(socketPath, { force: true });
  net.createServer((client) => pipe(client, net.connect(Number(port), host))).listen(socketPath);
} else {
  net.createServer((client) => pipe(client, net.connect(socketPath))).listen(Number(port), host);
}
`;
