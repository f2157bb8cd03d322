import { startDemoTarget } from "../demo-target/launch.ts";
import { noFaults } from "../demo-target/faults.ts";
import { say } from "../core/output.ts";
import { runBulwark } from "./bulwark-cli.ts";
import { droppedIterations, engineSample, runEngineScript } from "./engine-scripts.ts";
import type { Tools } from "./figure-generators.ts";
import { cpuSeconds } from "./process.ts";
import type { BenchSettings } from "./settings.ts";
import { cpuPer1000, median, ratio, type GeneratorSample } from "./stats.ts";

export interface SuiteSample extends GeneratorSample {
  droppedIterations: number;
}

export interface SuiteVsPlain {
  arrivalRate: number;
  vus: number;
  seconds: number;
  suite: SuiteSample[];
  plain: SuiteSample[];
  suiteRate: number | null;
  plainRate: number | null;
  /** Engine CPU seconds per 1000 requests (exact, from wait4). */
  suiteCpuPer1000: number | null;
  plainCpuPer1000: number | null;
  /** (3): suite CPU per request / plain CPU per request (issue goal: within 10 %, i.e. <= 1.10). */
  cpuRatio: number | null;
}

/**
 * (3) `bulwark run browse-catalog --profile load` through the real CLI (the engine under the rusage tool
 * through BULWARK_ENGINE) against the plain script scripts/bench/plain/browse-catalog.js on the engine,
 * same arrival rate, VUs and duration, each against a fresh demo target, alternating.
 */
export async function measureSuiteVsPlain(tools: Tools, settings: BenchSettings): Promise<SuiteVsPlain> {
  const { loadRate, loadVus, loadSeconds, trials } = settings;
  const overrides = { load: { ratePerSecond: loadRate, duration: `${loadSeconds}s`, preAllocatedVUs: loadVus, maxVUs: loadVus } };
  const suite: SuiteSample[] = [];
  const plain: SuiteSample[] = [];
  const runSuite = async () => {
    const { summary, engineRuns } = await runBulwark(["run", "browse-catalog", "--profile", "load"], { overrides, timeoutMs: (loadSeconds + 120) * 1000, measureEngine: tools });
    const totals = summary.steps[0]?.totals;
    const usage = engineRuns[0];
    if (!totals || !usage) throw new Error(`bulwark run browse-catalog produced no totals or no engine run (verdict ${summary.verdict}: ${summary.steps[0]?.error ?? ""})`);
    suite.push({ ratePerSecond: totals.ratePerSecond, requests: totals.requests, errors: Math.round((totals.errorRate ?? 0) * totals.requests), cpuSeconds: cpuSeconds(usage), maxRssKb: usage.maxRssKb, droppedIterations: totals.droppedIterations });
  };
  const runPlain = async () => {
    const demo = await startDemoTarget(noFaults);
    try {
      const vars = { BASE_URL: demo.baseUrl, RATE: String(loadRate), DURATION: `${loadSeconds}s`, VUS: String(loadVus) };
      const result = await runEngineScript(tools.engine, tools.rusage, tools.bundles.path("plain-browse-catalog"), vars, (loadSeconds + 60) * 1000);
      plain.push({ ...engineSample(result), droppedIterations: droppedIterations(result) });
    } finally {
      await demo.stop();
    }
  };
  for (let trial = 0; trial < trials; trial += 1) {
    say(`bench: (3) trial ${trial + 1}/${trials}: browse-catalog at ${loadRate} it/s, ${loadVus} VUs, ${loadSeconds}s: bulwark run and the plain script`);
    const order = trial % 2 === 0 ? [runSuite, runPlain] : [runPlain, runSuite];
    for (const step of order) await step();
  }
  const suiteCpuPer1000 = cpuPer1000(suite);
  const plainCpuPer1000 = cpuPer1000(plain);
  return {
    arrivalRate: loadRate,
    vus: loadVus,
    seconds: loadSeconds,
    suite,
    plain,
    suiteRate: median(suite.map((s) => s.ratePerSecond)),
    plainRate: median(plain.map((s) => s.ratePerSecond)),
    suiteCpuPer1000,
    plainCpuPer1000,
    cpuRatio: ratio(suiteCpuPer1000, plainCpuPer1000),
  };
}
