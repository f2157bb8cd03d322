import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg, release, totalmem } from "node:os";
import { ensureEngine } from "../kinds/load/engine-binary.ts";
import { exec } from "../core/exec.ts";
import { say, table } from "../core/output.ts";
import { gitCommit } from "../core/provenance.ts";
import { repoPath } from "../core/repo-root.ts";
import { bundleBenchScripts } from "./engine-scripts.ts";
import { measureAccuracy } from "./figure-accuracy.ts";
import { measureScheduleLag, measureStartUp } from "./figure-engine.ts";
import { measureBundleTime, measureGateOverhead } from "./figure-gate.ts";
import { measureBrowseCatalog, measureOneGet, type Tools } from "./figure-generators.ts";
import { measureMemoryPerVu } from "./figure-memory.ts";
import { measureSuiteVsPlain } from "./figure-suite.ts";
import { ensureRusage } from "./process.ts";
import type { BenchSettings } from "./settings.ts";
import { median, round } from "./stats.ts";
import { ensureVegeta } from "./vegeta.ts";
import { ensureWrk } from "./wrk.ts";

export const figureNames = ["one-get", "browse", "suite", "memory", "lag", "startup", "bundle", "gate", "accuracy"] as const;
export type FigureName = (typeof figureNames)[number];
export const figureAliases: Record<string, FigureName> = { 1: "one-get", 2: "browse", 3: "suite", 4: "memory", 5: "lag", 6: "startup", c: "bundle", d: "gate", e: "accuracy" };

type Failed = { error: string };
const failed = (value: unknown): value is Failed => typeof value === "object" && value !== null && "error" in value;

/** A figure's result with the machine's load average (1 minute) when it started and ended. */
type Timed<T> = (T & { loadAverage: [number, number] }) | Failed;

async function attempt<T extends object>(name: string, measure: () => Promise<T>): Promise<Timed<T>> {
  const before = loadavg()[0] ?? 0;
  try {
    const result = await measure();
    return { ...result, loadAverage: [round(before, 2) ?? 0, round(loadavg()[0] ?? 0, 2) ?? 0] };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    say(`bench: (${name}) failed: ${message}`);
    return { error: message };
  }
}

export const benchResultsDir = (): string => repoPath("reports", "bench");

const fixed = (value: number | null | undefined, digits = 2) => (value === null || value === undefined ? "n/a" : (round(value, digits) ?? 0).toFixed(digits));
const met = (ok: boolean | null) => (ok === null ? "n/a" : ok ? "met" : "NOT met");
const atMost = (value: number | null, goal: number) => met(value === null ? null : value <= goal);
const atLeast = (value: number | null, goal: number) => met(value === null ? null : value >= goal);
const load = (value: { loadAverage: [number, number] }) => `load ${value.loadAverage[0].toFixed(1)}→${value.loadAverage[1].toFixed(1)}`;

/** Runs the chosen figures of the load benchmark, prints a table and writes reports/bench/bench-<time>.json. */
export async function runLoadBench(settings: BenchSettings, only: ReadonlySet<FigureName>): Promise<{ ok: boolean; resultPath: string }> {
  const startedAt = new Date();
  const loadAtStart = loadavg();
  const engine = await ensureEngine(say);
  const rusage = await ensureRusage(say);
  const needsVegeta = only.has("one-get") || only.has("browse");
  const vegetaOrError = needsVegeta ? await ensureVegeta(say).catch((error: unknown) => ({ error: error instanceof Error ? error.message : String(error) })) : null;
  const vegeta = vegetaOrError && !failed(vegetaOrError) ? vegetaOrError : null;
  if (failed(vegetaOrError)) say(`bench: vegeta unavailable: ${vegetaOrError.error}`);
  const wrk = only.has("one-get") || only.has("accuracy") ? await ensureWrk() : null;
  const wrkVersion = wrk ? (/wrk \S+/.exec((await exec(wrk, ["-v"])).stdout)?.[0] ?? "wrk") : null;
  const needsBundles = ["one-get", "browse", "suite", "lag", "startup"].some((name) => only.has(name as FigureName));
  // First, while esbuild has not started in this process: its "cold" figure includes the service start.
  const bundle = only.has("bundle") ? await attempt("c", () => measureBundleTime()) : undefined;
  const bundles = needsBundles ? await bundleBenchScripts() : null;
  say(`bench: ${engine.version} (${engine.path}), ${vegeta?.version ?? "vegeta not used"}, ${wrkVersion ?? "wrk not used"}; ${cpus().length} CPUs, load average ${loadAtStart.map((l) => l.toFixed(1)).join(" ")}`);

  const tools: Tools | null = bundles ? { engine, rusage, bundles, vegeta, wrk } : null;
  const withTools = <T>(run: (t: Tools) => Promise<T>) => () => (tools ? run(tools) : Promise.reject(new Error("no bench scripts")));
  const skip = async () => undefined;
  let figures;
  try {
    const oneGet = only.has("one-get") ? await attempt("1", withTools((t) => measureOneGet(t, settings))) : await skip();
    const browse = only.has("browse") ? await attempt("2", withTools((t) => measureBrowseCatalog(t, settings))) : await skip();
    const suite = only.has("suite") ? await attempt("3", withTools((t) => measureSuiteVsPlain(t, settings))) : await skip();
    const memory = only.has("memory") ? await attempt("4", () => measureMemoryPerVu({ engine, rusage }, settings)) : await skip();
    const lag = only.has("lag") ? await attempt("5", withTools((t) => measureScheduleLag(t, settings))) : await skip();
    const startup = only.has("startup") ? await attempt("6", withTools((t) => measureStartUp(t, settings))) : await skip();
    const gate = only.has("gate") ? await attempt("d", () => measureGateOverhead(settings.trials)) : await skip();
    const accuracy = only.has("accuracy") ? await attempt("e", () => measureAccuracy(settings.trials, settings.injectedLatencyMs, wrk, rusage)) : await skip();
    figures = { oneGet, browse, suite, memory, lag, startup, bundle, gate, accuracy };
  } finally {
    await bundles?.remove();
  }
  const { oneGet, browse, suite, memory, lag, startup, gate, accuracy } = figures;

  const rows: string[][] = [["figure", "measured", "goal", "verdict"]];
  const errorRow = (label: string, value: Failed) => rows.push([label, `error: ${value.error.split("\n")[0]}`, "", "n/a"]);
  if (oneGet) {
    if (failed(oneGet)) errorRow("(1) one GET: engine / vegeta req/s", oneGet);
    else {
      const g = oneGet;
      rows.push(["(1) one GET: engine / vegeta req/s", `${fixed(g.throughputRatio, 3)} (${fixed(g.engineRate, 0)} vs ${fixed(g.vegetaRate, 0)} req/s, ${g.vus} connections, ${g.seconds}s; ${load(g)})`, ">= 0.8", atLeast(g.throughputRatio, 0.8)]);
      rows.push(["    CPU per request, engine / vegeta", `${fixed(g.cpuRatio, 3)} (${fixed(g.engineCpuPerRequestUs, 1)} vs ${fixed(g.vegetaCpuPerRequestUs, 1)} µs)`, "<= 1.3", atMost(g.cpuRatio, 1.3)]);
      rows.push(["    engine / wrk req/s", g.wrkRate === null ? "n/a (no wrk)" : `${fixed(g.wrkRatio, 3)} (wrk ${fixed(g.wrkRate, 0)} req/s, ${fixed(g.wrkCpuPerRequestUs, 1)} µs CPU per request)`, "context", ""]);
    }
  }
  if (browse) {
    if (failed(browse)) errorRow("(2) browse-catalog / vegeta req/s", browse);
    else
      rows.push([
        "(2) browse-catalog / vegeta req/s",
        `${fixed(browse.rateRatio, 3)} (${fixed(browse.engineRate, 0)} vs ${fixed(browse.vegetaRate, 0)} req/s; CPU per request ${fixed(browse.engineCpuPerRequestUs, 1)} vs ${fixed(browse.vegetaCpuPerRequestUs, 1)} µs; ${load(browse)})`,
        ">= 0.5",
        atLeast(browse.rateRatio, 0.5),
      ]);
  }
  if (suite) {
    if (failed(suite)) errorRow("(3) suite / plain, CPU per 1000 req", suite);
    else {
      const dropped = suite.suite.concat(suite.plain).reduce((total, s) => total + s.droppedIterations, 0);
      rows.push([
        "(3) suite / plain, CPU per 1000 req",
        `${fixed(suite.cpuRatio, 3)} (${fixed(suite.suiteCpuPer1000, 3)} vs ${fixed(suite.plainCpuPer1000, 3)} CPU-s; ${fixed(suite.suiteRate, 1)} vs ${fixed(suite.plainRate, 1)} req/s at ${suite.arrivalRate} it/s; ${dropped} dropped; ${load(suite)})`,
        "<= 1.10 (report)",
        atMost(suite.cpuRatio, 1.1),
      ]);
    }
  }
  if (memory) {
    if (failed(memory)) errorRow("(4) engine memory per VU", memory);
    else {
      const peaks = memory.peaks.map((p) => { const kb = median(p.peakKb); return `${p.vus} VUs ${fixed(kb === null ? null : kb / 1024, 1)} MB`; }).join(", ");
      rows.push(["(4) engine memory per VU", `${fixed(memory.kbPerVu, 1)} KB (peak RSS ${peaks}; ${load(memory)})`, "<= 100 KB", atMost(memory.kbPerVu, 100)]);
    }
  }
  if (lag) {
    if (failed(lag)) errorRow("(5) start lag p99", lag);
    else rows.push(["(5) start lag p99", `${fixed(lag.p99Ms, 3)} ms (p50 ${fixed(lag.p50Ms, 3)}, max ${fixed(lag.maxMs, 2)} ms; ${lag.rate} it/s for ${lag.seconds}s; ${load(lag)})`, "<= 1.5 ms", atMost(lag.p99Ms, 1.5)]);
  }
  if (startup) {
    if (failed(startup)) errorRow("(6) start-up, spawn to exit", startup);
    else rows.push(["(6) start-up, spawn to exit", `run (1 iteration) ${fixed(startup.runMedianMs, 1)} ms, version ${fixed(startup.versionMedianMs, 1)} ms (${startup.repeats} runs; ${load(startup)})`, "", ""]);
  }
  if (bundle) {
    if (failed(bundle)) errorRow("(c) bundle time, all scenarios", bundle);
    else rows.push(["(c) bundle time, all scenarios", `cold ${fixed(bundle.coldMs, 0)} ms, warm ${fixed(bundle.warmMedianMs, 0)} ms (${bundle.scenarios.length} scenarios)`, "", ""]);
  }
  if (gate) {
    if (failed(gate)) errorRow("(d) gate overhead", gate);
    else {
      const first = gate.trials[0];
      const seconds = (ms: number | null) => fixed(ms === null ? null : ms / 1000);
      rows.push(["(d) gate overhead", `${seconds(gate.overheadMs)} s (${gate.command}: load ${fixed(first ? first.plannedMs / 1000 : null, 0)} s; ${load(gate)})`, "< 3 s", met(gate.overheadMs === null ? null : gate.overheadMs < 3000)]);
      rows.push(["    in steps; before, after steps", `${seconds(gate.inStepsOverheadMs)} s; ${seconds(gate.beforeStepsMs)} s, ${seconds(gate.afterStepsMs)} s`, "", ""]);
    }
  }
  if (accuracy) {
    if (failed(accuracy)) errorRow("(e) p95 with injected latency", accuracy);
    else {
      const e = accuracy;
      rows.push(["(e) p95 with injected latency", `${fixed(e.reportedP95Ms, 1)} ms vs ${e.injectedMs} ms injected (+${fixed(e.p95ExcessMs, 1)} ms; ${load(e)})`, "", ""]);
      rows.push(["    p50, min; p95 without fault", `${fixed(e.reportedP50Ms, 1)} ms, ${fixed(e.lowestMinMs, 1)} ms; ${fixed(e.baselineP95Ms, 1)} ms`, "", ""]);
      const wrkMs = e.wrkLatencyMs;
      if (wrkMs) rows.push(["    wrk on the same fault", `p50 ${fixed(wrkMs.p50, 1)} ms, p90 ${fixed(wrkMs.p90, 1)} ms, p99 ${fixed(wrkMs.p99, 1)} ms`, "", ""]);
    }
  }

  const finishedAt = new Date();
  const result = {
    schema: "bulwark-bench/2",
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    gitCommit: await gitCommit(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? null,
      memoryGb: round(totalmem() / 2 ** 30, 1),
      kernel: release(),
      node: process.version,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: loadavg(),
    },
    tools: { engine: { version: engine.version, path: engine.path }, vegeta: vegeta ? { version: vegeta.version, path: vegeta.path, buildMs: vegeta.buildMs } : null, wrk: wrkVersion },
    settings,
    figures,
  };
  await mkdir(benchResultsDir(), { recursive: true });
  const resultPath = repoPath("reports", "bench", `bench-${startedAt.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}.json`);
  await writeFile(resultPath, JSON.stringify(result, null, 2) + "\n");

  process.stdout.write(`\nbulwark load benchmark (${cpus().length} CPUs, load average ${loadAtStart[0]?.toFixed(1)} at start, ${loadavg()[0]?.toFixed(1)} at end; medians of ${settings.trials} trial(s))\n`);
  process.stdout.write(table(rows) + "\n");
  process.stdout.write(`results: ${resultPath}\n`);
  return { ok: !Object.values(figures).some(failed), resultPath };
}
