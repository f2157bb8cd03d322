import { bundleScenarios } from "../kinds/load/bundle.ts";
import { say } from "../core/output.ts";
import { listScenarios } from "../kinds/load/scenarios.ts";
import { runBulwark } from "./bulwark-cli.ts";
import { median } from "./stats.ts";

export interface BundleTime {
  scenarios: string[];
  /** The first call in a process: what every `bulwark run` pays (esbuild's service starts too). */
  coldMs: number;
  /** Later calls in the same process. */
  warmMs: number[];
  warmMedianMs: number | null;
}

const warmBundles = 5;

/** (c) bundleScenarios() over every scenario of the catalogue, the function `run` and `gate` call. */
export async function measureBundleTime(): Promise<BundleTime> {
  const scenarios = listScenarios().map((entry) => entry.name);
  say(`bench: (c) bundling ${scenarios.length} scenarios, 1 cold + ${warmBundles} warm`);
  const time = async () => {
    const started = process.hrtime.bigint();
    await bundleScenarios(scenarios);
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  const coldMs = await time();
  const warmMs: number[] = [];
  for (let i = 0; i < warmBundles; i += 1) warmMs.push(await time());
  return { scenarios, coldMs, warmMs, warmMedianMs: median(warmMs) };
}

export interface GateTrial {
  wallMs: number;
  plannedMs: number;
  overheadMs: number;
  /** Time spent inside steps beyond their planned load (engine start, VU init, graceful stop, summary). */
  inStepsOverheadMs: number;
  /** Time outside any step (Node start, config, bundling, demo target, preflight, reports). */
  outsideStepsMs: number;
  /** Of which: from spawn to the run's start (Node, config, engine lookup, bundling, inspect, demo target, preflight). */
  beforeStepsMs: number;
  /** Of which: from the run's end to exit (reports, demo target stop, Node exit). */
  afterStepsMs: number;
  verdict: string;
  exitCode: number | null;
}

export interface GateOverhead {
  command: string;
  trials: GateTrial[];
  /** (d): median wall time minus configured load time (goal < 3 s). */
  overheadMs: number | null;
  inStepsOverheadMs: number | null;
  outsideStepsMs: number | null;
  beforeStepsMs: number | null;
  afterStepsMs: number | null;
}

/** (d) `bulwark gate nightly` with the repository's own config, as CI runs it, timed from spawn to exit. */
export async function measureGateOverhead(trials: number): Promise<GateOverhead> {
  const args = ["gate", "nightly"];
  const results: GateTrial[] = [];
  for (let trial = 0; trial < trials; trial += 1) {
    say(`bench: (d) trial ${trial + 1}/${trials}: bulwark ${args.join(" ")}`);
    const { summary, run } = await runBulwark(args, { timeoutMs: 600_000 });
    const plannedMs = summary.steps.reduce((total, step) => total + (step.plannedDurationMs ?? 0), 0);
    const stepsMs = summary.steps.reduce((total, step) => total + step.durationMs, 0);
    results.push({
      wallMs: run.wallMs,
      plannedMs,
      overheadMs: run.wallMs - plannedMs,
      inStepsOverheadMs: stepsMs - plannedMs,
      outsideStepsMs: run.wallMs - stepsMs,
      beforeStepsMs: Date.parse(summary.startedAt) - run.spawnedAtMs,
      afterStepsMs: run.exitedAtMs - Date.parse(summary.finishedAt),
      verdict: summary.verdict,
      exitCode: run.code,
    });
  }
  return {
    command: `bulwark ${args.join(" ")}`,
    trials: results,
    overheadMs: median(results.map((r) => r.overheadMs)),
    inStepsOverheadMs: median(results.map((r) => r.inStepsOverheadMs)),
    outsideStepsMs: median(results.map((r) => r.outsideStepsMs)),
    beforeStepsMs: median(results.map((r) => r.beforeStepsMs)),
    afterStepsMs: median(results.map((r) => r.afterStepsMs)),
  };
}
