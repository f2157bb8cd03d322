// Which Chaos Mesh objects a run that died left behind. Every object the runner creates is annotated
// with its owner (host, pid and the process's start time, so a reused pid is not mistaken for it). At
// the start of an experiment, managed objects in its namespace are leftovers when their owner on this
// host is gone, or (owner elsewhere or unknown) when their duration has passed anyway.
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { isProcessAlive } from "../../scripts/core/process-lock.ts";
import { parseGoDuration, type ChaosObject } from "../faults/common.ts";

export const ownerAnnotation = "bulwark.dev/owner";

/** The process start time in clock ticks since boot (/proc/<pid>/stat field 22); undefined off Linux. */
function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** "host/pid/start" of this process. */
export function ownerOfThisProcess(): string {
  return `${hostname()}/${process.pid}/${processStartTicks(process.pid) ?? "?"}`;
}

export interface OwnerFacts {
  host: string;
  isAlive: (pid: number, start: string) => boolean;
  nowMs: number;
}

export const realOwnerFacts = (): OwnerFacts => ({
  host: hostname(),
  isAlive: (pid, start) => isProcessAlive(pid) && (start === "?" || processStartTicks(pid) === start),
  nowMs: Date.now(),
});

/** Why an object is a leftover, or undefined when a live run may still own it. Pure given the facts. */
export function leftoverReason(object: Pick<ChaosObject, "metadata" | "spec">, facts: OwnerFacts): string | undefined {
  const owner = object.metadata.annotations?.[ownerAnnotation];
  const [host, pidText, start] = owner?.split("/") ?? [];
  if (owner && host === facts.host && pidText && start) {
    const pid = Number(pidText);
    return facts.isAlive(pid, start) ? undefined : `its owner (pid ${pid} on ${host}) is gone`;
  }
  const created = Date.parse(object.metadata.creationTimestamp ?? "");
  const duration = parseGoDuration(String(object.spec.duration ?? "")) ?? Number.NaN;
  if (Number.isFinite(created) && Number.isFinite(duration) && created + duration < facts.nowMs) {
    return `its duration ${String(object.spec.duration)} has passed (owner ${owner ?? "unknown"})`;
  }
  return undefined;
}
