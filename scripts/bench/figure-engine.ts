import { say } from "../core/output.ts";
import { droppedIterations, runEngineScript } from "./engine-scripts.ts";
import type { Tools } from "./figure-generators.ts";
import { cpuSeconds, runMeasured } from "./process.ts";
import type { BenchSettings } from "./settings.ts";
import { median } from "./stats.ts";

const unitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, "μs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration string ("850µs", "1.234ms", "1m2.5s", "0s") in milliseconds; null when it is not one. */
export function goDurationMs(text: string): number | null {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|μs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join("") !== text) return null;
  return parts.reduce((total, [, value, unit]) => total + Number(value) * (unitMs[unit!] ?? Number.NaN), 0);
}

export interface StartLag {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** The engine's closing log line `arrival-rate start lag over N iterations: p50 X, p99 Y, max Z`. */
export function parseStartLag(log: string): StartLag | null {
  for (const line of log.split("\n")) {
    let msg: string | undefined;
    try {
      msg = (JSON.parse(line) as { msg?: string }).msg;
    } catch {
      continue;
    }
    const match = /^arrival-rate start lag over (\d+) iterations: p50 (\S+), p99 (\S+), max (\S+)$/.exec(msg ?? "");
    if (!match) continue;
    const [p50, p99, max] = [match[2], match[3], match[4]].map((value) => goDurationMs(value ?? ""));
    if (p50 == null || p99 == null || max == null) continue;
    return { count: Number(match[1]), p50Ms: p50, p99Ms: p99, maxMs: max };
  }
  return null;
}

export interface ScheduleLagTrial extends StartLag {
  iterations: number;
  droppedIterations: number;
  cpuSeconds: number;
}

export interface ScheduleLag {
  rate: number;
  seconds: number;
  vus: number;
  trials: ScheduleLagTrial[];
  /** (5): median over trials of the engine's own p99 start lag, in ms (goal <= 1.5). */
  p99Ms: number | null;
  p50Ms: number | null;
  maxMs: number | null;
}

/**
 * (5) Empty iterations at a constant arrival rate (scripts/bench/plain/noop-rate.js): the start lag the
 * engine measures itself (start - due time of every iteration, in an HDR histogram) and logs at the end.
 */
export async function measureScheduleLag(tools: Tools, settings: BenchSettings): Promise<ScheduleLag> {
  const { lagRate: rate, lagSeconds: seconds, lagVus: vus, trials } = settings;
  const results: ScheduleLagTrial[] = [];
  for (let trial = 0; trial < trials; trial += 1) {
    say(`bench: (5) trial ${trial + 1}/${trials}: empty iterations at ${rate}/s for ${seconds}s`);
    const run = await runEngineScript(tools.engine, tools.rusage, tools.bundles.path("noop-rate"), { RATE: String(rate), DURATION: `${seconds}s`, VUS: String(vus) }, (seconds + 60) * 1000);
    const lag = parseStartLag(run.run.stderr);
    if (!lag) throw new Error("the engine logged no 'arrival-rate start lag' line");
    results.push({ ...lag, iterations: run.data.metrics.iterations?.values.count ?? 0, droppedIterations: droppedIterations(run), cpuSeconds: cpuSeconds(run.run.usage) });
  }
  return {
    rate,
    seconds,
    vus,
    trials: results,
    p99Ms: median(results.map((r) => r.p99Ms)),
    p50Ms: median(results.map((r) => r.p50Ms)),
    maxMs: median(results.map((r) => r.maxMs)),
  };
}

export interface StartUp {
  repeats: number;
  /** Wall time from fork/exec to exit of `bulwark-engine run` on one empty iteration, every run. */
  runMs: number[];
  versionMs: number[];
  runMedianMs: number | null;
  versionMedianMs: number | null;
  runPeakRssKb: number | null;
}

/** (6) `bulwark-engine run` on one empty iteration (shared-iterations, 1 iteration) and `bulwark-engine version`, spawn to exit. */
export async function measureStartUp(tools: Tools, settings: BenchSettings): Promise<StartUp> {
  const repeats = settings.trials * settings.startupRepeats;
  const runMs: number[] = [];
  const versionMs: number[] = [];
  const rss: number[] = [];
  say(`bench: (6) ${repeats} x bulwark-engine run (one empty iteration) and bulwark-engine version`);
  for (let i = 0; i < repeats; i += 1) {
    const run = await runMeasured(tools.rusage, tools.engine.path, ["run", tools.bundles.path("one-iteration")], { timeoutMs: 60_000 });
    if (run.code !== 0) throw new Error(`bulwark-engine run on one iteration exited with code ${run.code}`);
    runMs.push(run.usage.wallMs);
    rss.push(run.usage.maxRssKb);
    const version = await runMeasured(tools.rusage, tools.engine.path, ["version"], { timeoutMs: 60_000 });
    if (version.code !== 0) throw new Error(`bulwark-engine version exited with code ${version.code}`);
    versionMs.push(version.usage.wallMs);
  }
  return { repeats, runMs, versionMs, runMedianMs: median(runMs), versionMedianMs: median(versionMs), runPeakRssKb: median(rss) };
}
