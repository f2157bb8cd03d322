// The processes the cluster runs and the TCP ports they listen on, read from /proc (Linux only), so that
// `status` can show them and tests can prove `down` leaves nothing listening.
import { readdir, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import { isProcessAlive } from "../../core/process-lock.ts";
import { statePaths } from "./paths.ts";

export interface ClusterProcess {
  name: string;
  pid: number;
  alive: boolean;
}

async function readPid(file: string): Promise<number | undefined> {
  const pid = Number.parseInt(await readFile(file, "utf8").catch(() => ""), 10);
  return Number.isFinite(pid) && pid > 0 ? pid : undefined;
}

/** kwokctl's processes (from its pid files) and chaos-controller-manager (from ours). */
export async function clusterProcesses(): Promise<ClusterProcess[]> {
  const processes: ClusterProcess[] = [];
  const pidsDir = join(statePaths.kwokClusterDir(), "pids");
  for (const file of (await readdir(pidsDir).catch(() => [])).filter((name) => name.endsWith(".pid")).sort()) {
    const pid = await readPid(join(pidsDir, file));
    if (pid) processes.push({ name: file.replace(/\.pid$/, ""), pid, alive: isProcessAlive(pid) });
  }
  const chaosPid = await readPid(statePaths.chaosPidFile());
  if (chaosPid) processes.push({ name: "chaos-controller-manager", pid: chaosPid, alive: isProcessAlive(chaosPid) });
  return processes;
}

/** TCP ports in LISTEN state owned by the given processes. */
export async function listeningPorts(pids: number[]): Promise<{ pid: number; address: string; port: number }[]> {
  const listening = new Map<string, { address: string; port: number }>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    const lines = (await readFile(table, "utf8").catch(() => "")).split("\n").slice(1);
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      const [local, state, inode] = [fields[1], fields[3], fields[9]];
      if (!local || state !== "0A" || !inode) continue;
      const [hexAddress = "", hexPort = "0"] = local.split(":");
      listening.set(inode, { address: decodeAddress(hexAddress), port: Number.parseInt(hexPort, 16) });
    }
  }
  const result: { pid: number; address: string; port: number }[] = [];
  for (const pid of pids) {
    const fdDir = `/proc/${pid}/fd`;
    for (const fd of await readdir(fdDir).catch(() => [])) {
      const target = await readlink(join(fdDir, fd)).catch(() => "");
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      const socket = inode ? listening.get(inode) : undefined;
      if (socket) result.push({ pid, ...socket });
    }
  }
  return result;
}

function decodeAddress(hex: string): string {
  if (hex.length === 8) {
    const bytes = hex.match(/../g) ?? [];
    return bytes.map((byte) => Number.parseInt(byte, 16)).reverse().join(".");
  }
  if (/^0+$/.test(hex)) return "::";
  if (hex === "00000000000000000000000001000000") return "::1";
  if (hex.startsWith("0000000000000000FFFF0000")) return decodeAddress(hex.slice(24));
  return `ipv6:${hex}`;
}
