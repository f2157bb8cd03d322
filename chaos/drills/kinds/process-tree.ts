import { existsSync, readdirSync, readFileSync } from "node:fs";
import { cameWithin } from "../../../scripts/core/wait-for.ts";

/** Process ids of every descendant of `pid`, from /proc (PostgreSQL's children leave its process group). */
export function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name is in parentheses and may hold spaces: the parent pid is the 2nd field after it.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const siblings = parents.get(parent) ?? [];
      siblings.push(Number(entry));
      parents.set(parent, siblings);
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const children = parents.get(queue.shift()!) ?? [];
    found.push(...children);
    queue.push(...children);
  }
  return found;
}

/** SIGKILLs a process and all its descendants at once (a crash, not a shutdown) and waits until they are gone. */
export async function killProcessTree(pid: number, timeoutMs = 10_000): Promise<number[]> {
  const victims = [pid, ...descendantsOf(pid)];
  for (const victim of victims) {
    try {
      process.kill(victim, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  await cameWithin(() => !victims.some((victim) => isRunning(victim)), { timeoutMs, intervalMs: 20, description: `process ${pid} and its descendants to end` });
  return victims;
}

function isRunning(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return false;
  try {
    // A killed child not yet reaped by its parent is a zombie: it is gone for our purpose.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}
