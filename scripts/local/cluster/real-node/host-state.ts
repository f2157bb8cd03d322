// Mounts and cgroups the real node leaves on the host: found by their paths (the node's folders and its
// own cgroup parent), so `down` and the next `up` after a crash can remove exactly those and nothing else.
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rmdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { exec } from "../../../core/exec.ts";
import { realNodePaths } from "./layout.ts";

const cgroupMount = "/sys/fs/cgroup";

/** Mount points under the node's folders, deepest first (so nested mounts come off before their parents). */
export async function nodeMounts(): Promise<string[]> {
  const prefixes = [realNodePaths.dir(), realNodePaths.runDir()];
  const mountInfo = await readFile("/proc/self/mountinfo", "utf8");
  const points = mountInfo
    .split("\n")
    .map((line) => line.split(" ")[4] ?? "")
    .map((point) => point.replace(/\\040/g, " "))
    .filter((point) => prefixes.some((prefix) => point === prefix || point.startsWith(prefix + "/")));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

export async function unmountAll(): Promise<string[]> {
  const failed: string[] = [];
  for (let round = 0; round < 3; round++) {
    const points = await nodeMounts();
    if (points.length === 0) return [];
    failed.length = 0;
    for (const point of points) {
      if ((await exec("umount", [point])).code !== 0 && (await exec("umount", ["-l", point])).code !== 0) failed.push(point);
    }
  }
  return nodeMounts();
}

/** The cgroup v1 hierarchies (and the unified one) mounted under /sys/fs/cgroup. */
async function hierarchies(): Promise<string[]> {
  const entries = await readdir(cgroupMount, { withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isDirectory() || entry.isSymbolicLink()).map((entry) => join(cgroupMount, entry.name));
}

/** kubelet checks that its cgroupRoot exists in every hierarchy; cpuset needs its CPUs and memory nodes set before use. */
export async function createCgroupRoot(): Promise<void> {
  for (const hierarchy of await hierarchies()) {
    const dir = join(hierarchy, realNodePaths.cgroupRoot());
    await mkdir(dir, { recursive: true });
    if (existsSync(join(hierarchy, "cpuset.cpus")) && existsSync(join(dir, "cpuset.cpus"))) {
      for (const file of ["cpuset.cpus", "cpuset.mems"]) {
        if ((await readFile(join(dir, file), "utf8")).trim() === "") await writeFile(join(dir, file), await readFile(join(hierarchy, file), "utf8"));
      }
    }
  }
}

/** Every cgroup folder under the node's cgroup parent, deepest first. */
export async function nodeCgroups(): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    found.push(dir);
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) if (entry.isDirectory()) await walk(join(dir, entry.name));
  };
  for (const hierarchy of await hierarchies()) {
    const root = join(hierarchy, realNodePaths.cgroupRoot());
    if (existsSync(root)) await walk(root);
  }
  return found.sort((a, b) => b.length - a.length);
}

/** Processes still in the node's cgroups (containers whose shim died with a crashed run). */
export async function cgroupProcesses(): Promise<number[]> {
  const pids = new Set<number>();
  for (const dir of await nodeCgroups()) {
    for (const line of (await readFile(join(dir, "cgroup.procs"), "utf8").catch(() => "")).split("\n")) {
      const pid = Number.parseInt(line, 10);
      if (pid > 0) pids.add(pid);
    }
  }
  return [...pids];
}

/** Removes the empty cgroup folders (rmdir only works on empty ones: the processes must be gone). */
export async function removeCgroups(): Promise<string[]> {
  for (const dir of await nodeCgroups()) await rmdir(dir).catch(() => undefined);
  return nodeCgroups();
}
