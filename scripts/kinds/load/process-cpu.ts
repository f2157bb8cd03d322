import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** How often the engine's CPU is read: what it used in the last interval before it exited is not seen. */
export const cpuSampleIntervalMs = 250;

let ticksPerSecond: number | undefined;

function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User + system CPU seconds of a live process from /proc/<pid>/stat; null where there is no /proc. */
export function processCpuSeconds(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const [utime, stime] = [Number(fields[11]), Number(fields[12])];
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return (utime + stime) / clockTicksPerSecond();
}

/**
 * Reads a child's CPU time every `cpuSampleIntervalMs` while it runs and keeps the last reading: a
 * process's own counters vanish when it exits, and Node offers no getrusage(RUSAGE_CHILDREN).
 */
export function watchProcessCpu(pid: number | undefined): { stop(): number | null } {
  if (pid === undefined) return { stop: () => null };
  let last = processCpuSeconds(pid);
  const timer = setInterval(() => {
    const reading = processCpuSeconds(pid);
    if (reading !== null) last = reading;
  }, cpuSampleIntervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      return last;
    },
  };
}
