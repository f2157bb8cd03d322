import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunSummary } from "../../reports/summary-schema.ts";
import type { Profile } from "../../thresholds/schema.ts";
import type { EngineBinary } from "../kinds/load/engine-binary.ts";
import type { EngineSummaryData } from "../kinds/load/engine-summary.ts";
import { tail } from "../core/exec.ts";
import { repoPath } from "../core/repo-root.ts";
import { readUsages, runProcess, writeEngineWrapper, type ProcessRun, type RusageTool, type Usage } from "./process.ts";

export interface BulwarkRun {
  summary: RunSummary;
  run: ProcessRun;
  /** The engine's own end-of-test data per step (has statistics the summary leaves out, such as the minimum). */
  engineData: Record<string, EngineSummaryData>;
  /** With `measureEngine`: the cost of every `bulwark-engine run` process, in order. */
  engineRuns: Usage[];
}

/** Overrides of the `local` environment's profiles, e.g. `{ load: { ratePerSecond: 100 } }`. */
export type LocalProfileOverrides = Record<string, Partial<Profile>>;

/** A copy of bulwark.config.json whose `local` environment uses other load shapes. */
async function writeConfig(dir: string, overrides: LocalProfileOverrides): Promise<string> {
  const config = JSON.parse(await readFile(repoPath("bulwark.config.json"), "utf8")) as {
    environments: Record<string, { profiles?: Record<string, object> }>;
  };
  const local = config.environments.local;
  if (!local) throw new Error("bulwark.config.json has no 'local' environment");
  for (const [profile, override] of Object.entries(overrides)) local.profiles = { ...local.profiles, [profile]: { ...local.profiles?.[profile], ...override } };
  const path = join(dir, "bulwark.bench.config.json");
  await writeFile(path, JSON.stringify(config, null, 2));
  return path;
}

export interface BulwarkRunOptions {
  overrides?: LocalProfileOverrides;
  timeoutMs: number;
  /** Run the engine under the rusage tool (through BULWARK_ENGINE) to get its exact CPU time and peak RSS. */
  measureEngine?: { engine: EngineBinary; rusage: RusageTool };
}

/**
 * Runs the real CLI (`bin/bulwark.mjs`) as a user would, so the whole gate path is measured: config
 * validation, bundling, demo target, inspect, preflight, the engine, reports. Run directories go to a
 * temporary folder.
 */
export async function runBulwark(args: readonly string[], options: BulwarkRunOptions): Promise<BulwarkRun> {
  const dir = await mkdtemp(join(tmpdir(), "bulwark-bench-"));
  try {
    const configArgs = options.overrides ? ["--config", await writeConfig(dir, options.overrides)] : [];
    const cliArgs = [repoPath("bin", "bulwark.mjs"), ...args, ...configArgs, "--out", join(dir, "reports"), "--json"];
    const usagePath = join(dir, "engine-usage.jsonl");
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
    if (options.measureEngine) env.BULWARK_ENGINE = await writeEngineWrapper(dir, options.measureEngine.rusage, options.measureEngine.engine.path, usagePath);
    const run = await runProcess(process.execPath, cliArgs, { env, timeoutMs: options.timeoutMs });
    let summary: RunSummary;
    try {
      summary = JSON.parse(run.stdout) as RunSummary;
    } catch {
      throw new Error(`bulwark ${args.join(" ")} exited with code ${run.code} without a summary:\n${tail(run.stderr, 10)}`);
    }
    const engineData: Record<string, EngineSummaryData> = {};
    for (const step of summary.steps) {
      const file = step.artifacts.engineSummary;
      const text = file ? await readFile(join(dir, "reports", summary.runId, file), "utf8").catch(() => null) : null;
      if (text) engineData[step.name] = JSON.parse(text) as EngineSummaryData;
    }
    const engineRuns = (await readUsages(usagePath)).filter((usage) => usage.args[0] === "run");
    return { summary, run, engineData, engineRuns };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
