import type { K6Binary } from "../k6/ensure-k6.ts";
import { startDemoTarget } from "../demo-target/launch.ts";
import { noFaults } from "../demo-target/faults.ts";
import { say } from "../lib/output.ts";
import { runBulwark } from "./bulwark-cli.ts";
import { runPlainK6 } from "./plain-k6.ts";
import type { BenchSettings } from "./settings.ts";
import { mb, median } from "./stats.ts";

export interface PeakRss {
  vus: number;
  suiteKb: number[];
  plainKb: number[];
}

export interface MemoryPerVu {
  arrivalRate: number;
  seconds: number;
  peaks: PeakRss[];
  /** (f): (median peak RSS at the higher VU count - at the lower) / VU difference, in MB (goal <= 3). */
  suiteMbPerVu: number | null;
  plainMbPerVu: number | null;
}

/**
 * Both VU counts run at the same low arrival rate, so the difference is the VUs themselves: every VU runs
 * the bundle's init code, and k6 hands iterations to idle VUs in turn, so most VUs also run iterations.
 */
const arrivalRate = 20;

function perVu(low: number[], high: number[], vuDifference: number): number | null {
  const lowPeak = median(low);
  const highPeak = median(high);
  return lowPeak === null || highPeak === null ? null : mb(highPeak - lowPeak) / vuDifference;
}

/** (f) Peak RSS of k6 (VmHWM) running browse-catalog through the CLI, and the plain script, at two VU counts. */
export async function measureMemoryPerVu(k6: K6Binary, settings: BenchSettings): Promise<MemoryPerVu> {
  const { memoryVus, memorySeconds: seconds, trials } = settings;
  const peaks: PeakRss[] = memoryVus.map((vus) => ({ vus, suiteKb: [], plainKb: [] }));
  for (let trial = 0; trial < trials; trial += 1) {
    for (const peak of peaks) {
      say(`bench: (f) trial ${trial + 1}/${trials}: ${peak.vus} VUs, suite and plain k6`);
      const override = { load: { ratePerSecond: arrivalRate, duration: `${seconds}s`, preAllocatedVUs: peak.vus, maxVUs: peak.vus } };
      const suite = await runBulwark(["run", "browse-catalog", "--profile", "load"], override, (seconds + 120) * 1000);
      if (suite.run.k6) peak.suiteKb.push(suite.run.k6.peakRssKb);
      const demo = await startDemoTarget(noFaults);
      try {
        const vars = { BASE_URL: demo.baseUrl, RATE: String(arrivalRate), DURATION: `${seconds}s`, VUS: String(peak.vus) };
        const plain = await runPlainK6(k6, "browse-catalog", vars, (seconds + 60) * 1000);
        if (plain.run.k6) peak.plainKb.push(plain.run.k6.peakRssKb);
      } finally {
        await demo.stop();
      }
    }
  }
  const [low, high] = peaks;
  const vuDifference = memoryVus[1] - memoryVus[0];
  return {
    arrivalRate,
    seconds,
    peaks,
    suiteMbPerVu: low && high ? perVu(low.suiteKb, high.suiteKb, vuDifference) : null,
    plainMbPerVu: low && high ? perVu(low.plainKb, high.plainKb, vuDifference) : null,
  };
}
