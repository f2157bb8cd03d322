import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleForEngine } from "../kinds/load/bundle.ts";
import type { EngineBinary } from "../kinds/load/engine-binary.ts";
import type { EngineSummaryData } from "../kinds/load/engine-summary.ts";
import { tail } from "../core/exec.ts";
import { repoPath } from "../core/repo-root.ts";
import { cpuSeconds, runMeasured, type MeasuredRun, type RusageTool } from "./process.ts";
import type { GeneratorSample } from "./stats.ts";

/** The benchmark's engine scripts: plain ones (scripts/bench/plain/) and the suite's scenario at full speed. */
export const benchScripts = {
  "one-get": repoPath("scripts", "bench", "plain", "one-get.js"),
  "plain-browse-catalog": repoPath("scripts", "bench", "plain", "browse-catalog.js"),
  "noop-rate": repoPath("scripts", "bench", "plain", "noop-rate.js"),
  "one-iteration": repoPath("scripts", "bench", "plain", "one-iteration.js"),
  "browse-catalog-max": repoPath("scripts", "bench", "scenarios", "browse-catalog-max.js"),
} as const;
export type BenchScript = keyof typeof benchScripts;

export interface BenchBundles {
  dir: string;
  path(script: BenchScript): string;
  remove(): Promise<void>;
}

/** Bundles the benchmark's scripts exactly as bulwark bundles scenarios (bundleForEngine), into a temporary folder. */
export async function bundleBenchScripts(): Promise<BenchBundles> {
  const dir = await mkdtemp(join(tmpdir(), "bulwark-bench-bundles-"));
  await bundleForEngine({ ...benchScripts }, dir);
  return { dir, path: (script) => join(dir, `${script}.js`), remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface EngineScriptRun {
  run: MeasuredRun;
  data: EngineSummaryData;
}

/** Exit codes after which the summary is complete: passed, or a threshold failed (a figure, not a gate). */
const completed = new Set([0, 10]);

/**
 * `bulwark-engine run --watch-stdin --summary-json <file> -e KEY=VALUE... <bundle>` under the rusage tool;
 * `env` is the process environment (e.g. BULWARK_PLAN for a suite scenario).
 */
export async function runEngineScript(
  engine: EngineBinary,
  rusage: RusageTool,
  bundle: string,
  vars: Record<string, string>,
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<EngineScriptRun> {
  const dir = await mkdtemp(join(tmpdir(), "bulwark-bench-run-"));
  try {
    const summaryPath = join(dir, "summary.json");
    const envArgs = Object.entries(vars).flatMap(([key, value]) => ["-e", `${key}=${value}`]);
    const run = await runMeasured(rusage, engine.path, ["run", "--watch-stdin", "--summary-json", summaryPath, ...envArgs, bundle], { env, timeoutMs, holdStdin: true });
    const text = await readFile(summaryPath, "utf8").catch(() => null);
    if (run.code === null || !completed.has(run.code) || text === null) throw new Error(`bulwark-engine run ${bundle} exited with code ${run.code}:\n${tail(run.stdout + run.stderr, 10)}`);
    return { run, data: JSON.parse(text) as EngineSummaryData };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Requests, rate and failures from the engine's end-of-test data, with the run's CPU and peak RSS. */
export function engineSample(result: EngineScriptRun): GeneratorSample {
  const metric = (name: string) => result.data.metrics[name]?.values;
  const requests = metric("http_reqs")?.count ?? 0;
  return {
    ratePerSecond: metric("http_reqs")?.rate ?? 0,
    requests,
    errors: metric("http_req_failed")?.passes ?? 0,
    cpuSeconds: cpuSeconds(result.run.usage),
    maxRssKb: result.run.usage.maxRssKb,
  };
}

export const droppedIterations = (result: EngineScriptRun): number => result.data.metrics.dropped_iterations?.values.count ?? 0;
