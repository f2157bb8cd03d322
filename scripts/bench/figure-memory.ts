import { say } from "../core/output.ts";
import { runBulwark } from "./bulwark-cli.ts";
import type { Tools } from "./figure-generators.ts";
import type { BenchSettings } from "./settings.ts";
import { median } from "./stats.ts";

export interface PeakRss {
  vus: number;
  /** Peak RSS (ru_maxrss) of the engine process of each trial, in KiB. */
  peakKb: number[];
}

export interface MemoryPerVu {
  arrivalRate: number;
  seconds: number;
  peaks: PeakRss[];
  /** (4): (median peak RSS at the higher VU count - at the lower) / VU difference, in KiB (goal <= 100). */
  kbPerVu: number | null;
}

/**
 * (4) Peak RSS of the engine running `bulwark run browse-catalog --profile load` at two VU counts
 * (pre-allocated = max), both at the same low arrival rate: the difference is the VUs themselves (every
 * VU is a JavaScript runtime that ran the bundle's init context and read the plan).
 */
export async function measureMemoryPerVu(tools: Pick<Tools, "engine" | "rusage">, settings: BenchSettings): Promise<MemoryPerVu> {
  const { memoryVus, memoryRate: arrivalRate, memorySeconds: seconds, trials } = settings;
  const peaks: PeakRss[] = memoryVus.map((vus) => ({ vus, peakKb: [] }));
  for (let trial = 0; trial < trials; trial += 1) {
    for (const peak of trial % 2 === 0 ? peaks : [...peaks].reverse()) {
      say(`bench: (4) trial ${trial + 1}/${trials}: bulwark run browse-catalog, ${peak.vus} VUs at ${arrivalRate} it/s for ${seconds}s`);
      const overrides = { load: { ratePerSecond: arrivalRate, duration: `${seconds}s`, preAllocatedVUs: peak.vus, maxVUs: peak.vus } };
      const { engineRuns, summary } = await runBulwark(["run", "browse-catalog", "--profile", "load"], { overrides, timeoutMs: (seconds + 120) * 1000, measureEngine: tools });
      const usage = engineRuns[0];
      if (!usage) throw new Error(`bulwark run browse-catalog ran no engine (verdict ${summary.verdict}: ${summary.steps[0]?.error ?? ""})`);
      peak.peakKb.push(usage.maxRssKb);
    }
  }
  const [low, high] = peaks;
  const lowPeak = low ? median(low.peakKb) : null;
  const highPeak = high ? median(high.peakKb) : null;
  return {
    arrivalRate,
    seconds,
    peaks,
    kbPerVu: lowPeak === null || highPeak === null ? null : (highPeak - lowPeak) / (memoryVus[1] - memoryVus[0]),
  };
}
