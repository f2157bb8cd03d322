import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { offlineK6Env, type K6Binary } from "../k6/ensure-k6.ts";
import { tail } from "../lib/exec.ts";
import { repoPath } from "../lib/repo-root.ts";
import { runWatched, type WatchedRun } from "./watched-run.ts";

export type PlainScript = "browse-catalog" | "max-throughput";

export interface PlainK6Result {
  ratePerSecond: number;
  requests: number;
  droppedIterations: number;
  p95Ms: number | null;
  run: WatchedRun;
}

/** The legacy --summary-export layout: statistics directly on each metric. */
interface SummaryExport {
  metrics: Record<string, Record<string, number> | undefined>;
}

/** Runs one of the hand-written plain k6 scripts (scripts/bench/plain-k6/) with `-e` variables. */
export async function runPlainK6(k6: K6Binary, script: PlainScript, vars: Record<string, string>, timeoutMs: number): Promise<PlainK6Result> {
  const dir = await mkdtemp(join(tmpdir(), "bulwark-bench-"));
  try {
    const summaryPath = join(dir, "summary.json");
    const envArgs = Object.entries(vars).flatMap(([key, value]) => ["-e", `${key}=${value}`]);
    const args = ["run", "--quiet", "--no-color", "--address", "", "--summary-export", summaryPath, ...envArgs, repoPath("scripts", "bench", "plain-k6", `${script}.js`)];
    const run = await runWatched(k6.path, args, offlineK6Env(), timeoutMs);
    const text = await readFile(summaryPath, "utf8").catch(() => null);
    if (run.code !== 0 || text === null) throw new Error(`plain k6 ${script} exited with code ${run.code}:\n${tail(run.stdout + run.stderr, 10)}`);
    const { metrics } = JSON.parse(text) as SummaryExport;
    return {
      ratePerSecond: metrics.http_reqs?.rate ?? 0,
      requests: metrics.http_reqs?.count ?? 0,
      droppedIterations: metrics.dropped_iterations?.count ?? 0,
      p95Ms: metrics.http_req_duration?.["p(95)"] ?? null,
      run,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
