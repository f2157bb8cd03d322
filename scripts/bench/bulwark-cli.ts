import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunSummary } from "../../reports/summary-schema.ts";
import type { Profile } from "../../thresholds/schema.ts";
import type { K6SummaryData } from "../k6/k6-summary.ts";
import { tail } from "../lib/exec.ts";
import { repoPath } from "../lib/repo-root.ts";
import { runWatched, type WatchedRun } from "./watched-run.ts";

export interface BulwarkRun {
  summary: RunSummary;
  run: WatchedRun;
  /** k6's own end-of-test data per step (has statistics the summary leaves out, such as the minimum). */
  k6Data: Record<string, K6SummaryData>;
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

/**
 * Runs the real CLI (`bin/bulwark.mjs`) as a user would, so the whole gate path is measured: config
 * validation, bundling, demo target, preflight, k6, reports. Run directories go to a temporary folder.
 */
export async function runBulwark(args: readonly string[], overrides: LocalProfileOverrides | null, timeoutMs: number): Promise<BulwarkRun> {
  const dir = await mkdtemp(join(tmpdir(), "bulwark-bench-"));
  try {
    const configArgs = overrides ? ["--config", await writeConfig(dir, overrides)] : [];
    const cliArgs = [repoPath("bin", "bulwark.mjs"), ...args, ...configArgs, "--out", join(dir, "reports"), "--json"];
    const run = await runWatched(process.execPath, cliArgs, { ...process.env, NO_COLOR: "1" }, timeoutMs);
    let summary: RunSummary;
    try {
      summary = JSON.parse(run.stdout) as RunSummary;
    } catch {
      throw new Error(`bulwark ${args.join(" ")} exited with code ${run.code} without a summary:\n${tail(run.stderr, 10)}`);
    }
    const k6Data: Record<string, K6SummaryData> = {};
    for (const step of summary.steps) {
      const file = step.artifacts.k6Summary;
      const text = file ? await readFile(join(dir, "reports", summary.runId, file), "utf8").catch(() => null) : null;
      if (text) k6Data[step.name] = JSON.parse(text) as K6SummaryData;
    }
    return { summary, run, k6Data };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
