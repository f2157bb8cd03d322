import type { K6Binary } from "../k6/ensure-k6.ts";
import { startDemoTarget } from "../demo-target/launch.ts";
import { noFaults } from "../demo-target/faults.ts";
import { say } from "../lib/output.ts";
import { runBulwark } from "./bulwark-cli.ts";
import { runPlainK6 } from "./plain-k6.ts";
import type { BenchSettings } from "./settings.ts";
import { median, ratio } from "./stats.ts";
import { runWrk } from "./wrk.ts";

export interface LoadSample {
  ratePerSecond: number;
  requests: number;
  droppedIterations: number;
  k6CpuSeconds: number | null;
}

export interface SuiteVsPlain {
  arrivalRate: number;
  vus: number;
  seconds: number;
  suite: LoadSample[];
  plain: LoadSample[];
  suiteRate: number | null;
  plainRate: number | null;
  /** (a): suite request rate / plain request rate (goal >= 0.95). */
  rateRatio: number | null;
  /** k6 CPU seconds per 1000 requests: where wrapper overhead shows even when both keep the rate. */
  suiteCpuPer1000: number | null;
  plainCpuPer1000: number | null;
}

const cpuPer1000 = (samples: LoadSample[]) => median(samples.flatMap((s) => (s.k6CpuSeconds === null || s.requests === 0 ? [] : [(1000 * s.k6CpuSeconds) / s.requests])));

/**
 * (a) The suite's browse-catalog scenario through the real CLI against the plain script, same arrival
 * rate, VUs and duration, each against a fresh demo target. The order alternates between trials so that
 * a change in the machine's background load does not always favour one side.
 */
export async function measureSuiteVsPlain(k6: K6Binary, settings: BenchSettings): Promise<SuiteVsPlain> {
  const { loadRate, loadVus, loadSeconds, trials } = settings;
  const override = { load: { ratePerSecond: loadRate, duration: `${loadSeconds}s`, preAllocatedVUs: loadVus, maxVUs: loadVus } };
  const suite: LoadSample[] = [];
  const plain: LoadSample[] = [];
  const runSuite = async () => {
    const { summary, run } = await runBulwark(["run", "browse-catalog", "--profile", "load"], override, (loadSeconds + 120) * 1000);
    const totals = summary.steps[0]?.totals;
    if (!totals) throw new Error(`bulwark run browse-catalog produced no totals (verdict ${summary.verdict}: ${summary.steps[0]?.error ?? ""})`);
    suite.push({ ratePerSecond: totals.ratePerSecond, requests: totals.requests, droppedIterations: totals.droppedIterations, k6CpuSeconds: run.k6?.cpuSeconds ?? null });
  };
  const runPlain = async () => {
    const demo = await startDemoTarget(noFaults);
    try {
      const vars = { BASE_URL: demo.baseUrl, RATE: String(loadRate), DURATION: `${loadSeconds}s`, VUS: String(loadVus) };
      const result = await runPlainK6(k6, "browse-catalog", vars, (loadSeconds + 60) * 1000);
      plain.push({ ratePerSecond: result.ratePerSecond, requests: result.requests, droppedIterations: result.droppedIterations, k6CpuSeconds: result.run.k6?.cpuSeconds ?? null });
    } finally {
      await demo.stop();
    }
  };
  for (let trial = 0; trial < trials; trial += 1) {
    say(`bench: (a) trial ${trial + 1}/${trials}: browse-catalog at ${loadRate} it/s, ${loadVus} VUs, ${loadSeconds}s: suite and plain k6`);
    const order = trial % 2 === 0 ? [runSuite, runPlain] : [runPlain, runSuite];
    for (const step of order) await step();
  }
  const suiteRate = median(suite.map((s) => s.ratePerSecond));
  const plainRate = median(plain.map((s) => s.ratePerSecond));
  return {
    arrivalRate: loadRate,
    vus: loadVus,
    seconds: loadSeconds,
    suite,
    plain,
    suiteRate,
    plainRate,
    rateRatio: ratio(suiteRate, plainRate),
    suiteCpuPer1000: cpuPer1000(suite),
    plainCpuPer1000: cpuPer1000(plain),
  };
}

export interface K6VsWrk {
  connections: number;
  seconds: number;
  endpoint: string;
  k6Rates: number[];
  wrkRates: number[];
  k6Rate: number | null;
  wrkRate: number | null;
  /** (b): k6 requests/s / wrk requests/s at full speed on the same endpoint. */
  rateRatio: number | null;
}

/** (b) k6 (plain script, closed model) against wrk at full speed on one demo target, alternating. */
export async function measureK6VsWrk(k6: K6Binary, wrk: string, settings: BenchSettings): Promise<K6VsWrk> {
  const { flatOutConnections: connections, flatOutSeconds: seconds, trials } = settings;
  const endpoint = "/api/items";
  const k6Rates: number[] = [];
  const wrkRates: number[] = [];
  const demo = await startDemoTarget(noFaults);
  try {
    const url = demo.baseUrl + endpoint;
    // Warm the demo target's JIT so that the first measured run is not the slow one.
    await runWrk(wrk, url, connections, 2, 2);
    const runK6 = async () => {
      const result = await runPlainK6(k6, "max-throughput", { BASE_URL: demo.baseUrl, VUS: String(connections), DURATION: `${seconds}s` }, (seconds + 60) * 1000);
      k6Rates.push(result.ratePerSecond);
    };
    const runWrkOnce = async () => {
      const result = await runWrk(wrk, url, connections, 2, seconds);
      if (result.errors > 0) say(`bench: (b) wrk saw ${result.errors} non-2xx responses`);
      wrkRates.push(result.ratePerSecond);
    };
    for (let trial = 0; trial < trials; trial += 1) {
      say(`bench: (b) trial ${trial + 1}/${trials}: k6 and wrk flat out on GET ${endpoint}, ${connections} connections, ${seconds}s`);
      const order = trial % 2 === 0 ? [runK6, runWrkOnce] : [runWrkOnce, runK6];
      for (const step of order) await step();
    }
  } finally {
    await demo.stop();
  }
  const k6Rate = median(k6Rates);
  const wrkRate = median(wrkRates);
  return { connections, seconds, endpoint, k6Rates, wrkRates, k6Rate, wrkRate, rateRatio: ratio(k6Rate, wrkRate) };
}
