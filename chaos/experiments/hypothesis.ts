// The steady-state hypothesis judged from its readings: before the first fault and after recovery
// every probe must hold; while a fault is in, probes marked must-hold must hold too; while the service
// recovers (fault removed, hypothesis not yet back) deviations are what the recovery time measures.
import type { Check } from "../../scripts/core/step-result.ts";
import type { ProbeDefinition } from "./schema.ts";
import type { ProbeReading } from "./tolerance.ts";

/** A stretch of the experiment as the hypothesis sees it. */
export interface HypothesisWindow {
  name: string;
  kind: "before" | "fault" | "recovery" | "after";
  startMs: number;
  endMs: number;
}

const clock = (ms: number): string => new Date(ms).toISOString().slice(11, 23);

/** The window an instant falls in (start inclusive, end exclusive); the last window also takes its end instant. */
export function windowOf(windows: readonly HypothesisWindow[], atMs: number): HypothesisWindow | undefined {
  return windows.find((window, index) => atMs >= window.startMs && (atMs < window.endMs || (index === windows.length - 1 && atMs <= window.endMs)));
}

/** One check per probe: held before, during (must-hold probes) and after; recovery readings are not judged. */
export function judgeHypothesis(probes: readonly ProbeDefinition[], readings: readonly ProbeReading[], windows: readonly HypothesisWindow[]): Check[] {
  return probes.map((probe) => {
    const own = readings.filter((reading) => reading.probe === probe.name);
    const judged: { reading: ProbeReading; window: string }[] = [];
    let notJudged = 0;
    const counts = { before: 0, fault: 0, after: 0 };
    for (const reading of own) {
      // A reading belongs to the window it was started in: a request sent during a fault answers for the fault.
      const window = windowOf(windows, reading.startedAtMs);
      if (!window || window.kind === "recovery" || (window.kind === "fault" && probe.during === "may-deviate")) {
        notJudged += 1;
        continue;
      }
      counts[window.kind] += 1;
      judged.push({ reading, window: window.name });
    }
    const deviations = judged.filter(({ reading }) => !reading.holds);
    const base = { name: `hypothesis ${probe.name}`, kind: "hypothesis" as const, metric: `${probe.type} probe`, limit: 0, unit: "count" as const, samples: judged.length };
    if (judged.length === 0) return { ...base, observed: null, verdict: "no-data" as const, reason: `no reading of ${probe.name} was judged (${own.length} taken)` };
    const tally = `before ${counts.before}, during faults ${counts.fault}, after ${counts.after}${notJudged ? `; ${notJudged} while recovering${probe.during === "may-deviate" ? " or during faults (may-deviate)" : ""}, not judged` : ""}`;
    if (deviations.length === 0) {
      return { ...base, observed: 0, verdict: "pass" as const, reason: `held in all ${judged.length} judged readings (${tally}); last: ${own.at(-1)!.detail}` };
    }
    const first = deviations[0]!;
    return {
      ...base,
      observed: deviations.length,
      verdict: "fail" as const,
      beyondLimit: deviations.length,
      reason: `deviated in ${deviations.length} of ${judged.length} judged readings (${tally}); first ${first.window === "before" ? "before the fault" : `during ${first.window}`} at ${clock(first.reading.startedAtMs)}: ${first.reading.detail}`,
    };
  });
}
