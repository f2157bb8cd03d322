// The steady-state hypothesis checked continuously: every probe read once per interval from the start
// of the load to the end of the method, each reading journaled with the phase it fell in; the first
// deviation of a probe in a phase (recovery aside) goes to the timeline.
import type { Journal } from "./journal.ts";
import { readAll, type ProbeEnvironment } from "./probes.ts";
import type { ProbeDefinition } from "./schema.ts";
import type { ProbeReading } from "./tolerance.ts";

export interface RunningMonitor {
  /** The phase the experiment is in now, for the journal ("before", "fault:kill", "recovery", "after"). */
  setPhase(name: string, kind: "before" | "fault" | "recovery" | "after"): void;
  /** Adds readings taken elsewhere (preflight, recovery polls) to the record. */
  add(round: ProbeReading[]): void;
  readings(): ProbeReading[];
  rounds(): ProbeReading[][];
  stop(): Promise<void>;
}

export function startMonitor(probes: readonly ProbeDefinition[], environment: ProbeEnvironment, intervalMs: number, journal: Journal): RunningMonitor {
  const rounds: ProbeReading[][] = [];
  const reported = new Set<string>();
  let phase = { name: "before", kind: "before" as "before" | "fault" | "recovery" | "after" };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;

  const record = (round: ProbeReading[], during = phase) => {
    rounds.push(round);
    for (const reading of round) {
      journal.record("probe-reading", `${reading.probe} ${reading.holds ? "holds" : "deviates"} (${during.name}): ${reading.detail}`, { probe: reading.probe, holds: reading.holds, value: reading.value, phase: during.name }, new Date(reading.startedAtMs));
      const key = `${reading.probe}|${during.name}`;
      if (!reading.holds && during.kind !== "recovery" && !reported.has(key)) {
        reported.add(key);
        journal.record("hypothesis-violated", `${reading.probe} during ${during.name}: ${reading.detail}`, undefined, new Date(reading.startedAtMs));
      }
    }
  };

  const loop = (async () => {
    while (!stopped) {
      const started = Date.now();
      const during = phase;
      record(await readAll(probes, environment), during);
      if (stopped) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, Math.max(0, intervalMs - (Date.now() - started)));
      });
    }
  })();

  return {
    setPhase(name, kind) {
      phase = { name, kind };
    },
    add: (round) => record(round),
    readings: () => rounds.flat(),
    rounds: () => [...rounds],
    async stop() {
      stopped = true;
      clearTimeout(timer);
      wake?.();
      await loop;
    },
  };
}
