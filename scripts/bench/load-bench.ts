import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg, release, totalmem } from "node:os";
import { ensureK6 } from "../k6/ensure-k6.ts";
import { exec } from "../lib/exec.ts";
import { say, table } from "../lib/output.ts";
import { gitCommit } from "../lib/provenance.ts";
import { repoPath } from "../lib/repo-root.ts";
import { measureAccuracy } from "./figure-accuracy.ts";
import { measureBundleTime, measureGateOverhead } from "./figure-gate.ts";
import { measureMemoryPerVu } from "./figure-memory.ts";
import { measureK6VsWrk, measureSuiteVsPlain } from "./figure-throughput.ts";
import type { BenchSettings } from "./settings.ts";
import { round } from "./stats.ts";
import { ensureWrk } from "./wrk.ts";

export const figureNames = ["a", "b", "c", "d", "e", "f"] as const;
export type FigureName = (typeof figureNames)[number];

type Failed = { error: string };
const failed = (value: unknown): value is Failed => typeof value === "object" && value !== null && "error" in value;

async function attempt<T>(name: string, measure: () => Promise<T>): Promise<T | Failed> {
  try {
    return await measure();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    say(`bench: (${name}) failed: ${message}`);
    return { error: message };
  }
}

export const benchResultsDir = (): string => repoPath("reports", "bench");

const fixed = (value: number | null, digits = 2) => (value === null ? "n/a" : (round(value, digits) ?? 0).toFixed(digits));
const met = (ok: boolean | null) => (ok === null ? "n/a" : ok ? "met" : "NOT met");

/** Runs the chosen figures of the load benchmark, prints a table and writes reports/bench/bench-<time>.json. */
export async function runLoadBench(settings: BenchSettings, only: ReadonlySet<FigureName>): Promise<{ ok: boolean; resultPath: string }> {
  const startedAt = new Date();
  const loadAtStart = loadavg();
  const k6 = await ensureK6(say);
  const wrk = only.has("b") || only.has("e") ? await ensureWrk() : null;
  const wrkVersion = wrk ? (/wrk \S+/.exec((await exec(wrk, ["-v"])).stdout)?.[0] ?? "wrk") : null;
  say(`bench: k6 ${k6.version} (${k6.path}), ${wrkVersion ?? "wrk not used"}; ${cpus().length} CPUs, load average ${loadAtStart.map((l) => l.toFixed(1)).join(" ")}`);

  const skip = async () => undefined;
  const a = only.has("a") ? await attempt("a", () => measureSuiteVsPlain(k6, settings)) : await skip();
  const b = only.has("b") ? await attempt("b", () => (wrk ? measureK6VsWrk(k6, wrk, settings) : Promise.reject(new Error("wrk is not installed and could not be installed")))) : await skip();
  const c = only.has("c") ? await attempt("c", () => measureBundleTime()) : await skip();
  const d = only.has("d") ? await attempt("d", () => measureGateOverhead(settings.trials)) : await skip();
  const e = only.has("e") ? await attempt("e", () => measureAccuracy(settings.trials, settings.injectedLatencyMs, wrk)) : await skip();
  const f = only.has("f") ? await attempt("f", () => measureMemoryPerVu(k6, settings)) : await skip();

  const rows: string[][] = [["figure", "measured", "goal", "verdict"]];
  const errorRow = (label: string, value: Failed) => rows.push([label, `error: ${value.error.split("\n")[0]}`, "", "n/a"]);
  if (a) {
    if (failed(a)) errorRow("(a) suite / plain k6 request rate", a);
    else {
      rows.push(["(a) suite / plain k6 request rate", `${fixed(a.rateRatio, 3)} (${fixed(a.suiteRate, 1)} vs ${fixed(a.plainRate, 1)} req/s at ${a.arrivalRate} it/s, ${a.vus} VUs)`, ">= 0.95", met(a.rateRatio === null ? null : a.rateRatio >= 0.95)]);
      rows.push(["    k6 CPU per 1000 requests", `suite ${fixed(a.suiteCpuPer1000)} s, plain ${fixed(a.plainCpuPer1000)} s`, "", ""]);
    }
  }
  if (b) {
    if (failed(b)) errorRow("(b) k6 / wrk at full speed", b);
    else rows.push(["(b) k6 / wrk at full speed", `${fixed(b.rateRatio, 3)} (${fixed(b.k6Rate, 0)} vs ${fixed(b.wrkRate, 0)} req/s, ${b.connections} connections)`, "context", ""]);
  }
  if (c) {
    if (failed(c)) errorRow("(c) bundle time, all scenarios", c);
    else rows.push(["(c) bundle time, all scenarios", `cold ${fixed(c.coldMs, 0)} ms, warm ${fixed(c.warmMedianMs, 0)} ms (${c.scenarios.length} scenarios)`, "", ""]);
  }
  if (d) {
    if (failed(d)) errorRow("(d) gate overhead", d);
    else {
      const first = d.trials[0];
      rows.push(["(d) gate overhead", `${fixed(d.overheadMs === null ? null : d.overheadMs / 1000)} s (${d.command}: load ${fixed(first ? first.plannedMs / 1000 : null, 0)} s)`, "< 3 s", met(d.overheadMs === null ? null : d.overheadMs < 3000)]);
      const seconds = (ms: number | null) => fixed(ms === null ? null : ms / 1000);
      rows.push(["    in steps; before, after steps", `${seconds(d.inStepsOverheadMs)} s; ${seconds(d.beforeStepsMs)} s, ${seconds(d.afterStepsMs)} s`, "", ""]);
    }
  }
  if (e) {
    if (failed(e)) errorRow("(e) p95 with injected latency", e);
    else {
      rows.push(["(e) p95 with injected latency", `${fixed(e.reportedP95Ms, 1)} ms vs ${e.injectedMs} ms injected (+${fixed(e.p95ExcessMs, 1)} ms)`, "", ""]);
      rows.push(["    p50, min; p95 without fault", `${fixed(e.reportedP50Ms, 1)} ms, ${fixed(e.lowestMinMs, 1)} ms; ${fixed(e.baselineP95Ms, 1)} ms`, "", ""]);
      const wrkMs = e.wrkLatencyMs;
      if (wrkMs) rows.push(["    wrk on the same fault", `p50 ${fixed(wrkMs.p50 ?? null, 1)} ms, p90 ${fixed(wrkMs.p90 ?? null, 1)} ms, p99 ${fixed(wrkMs.p99 ?? null, 1)} ms`, "", ""]);
    }
  }
  if (f) {
    if (failed(f)) errorRow("(f) k6 memory per VU", f);
    else rows.push(["(f) k6 memory per VU", `${fixed(f.suiteMbPerVu)} MB (plain script ${fixed(f.plainMbPerVu)} MB; ${f.peaks.map((p) => p.vus).join(" vs ")} VUs)`, "<= 3 MB", met(f.suiteMbPerVu === null ? null : f.suiteMbPerVu <= 3)]);
  }

  const finishedAt = new Date();
  const result = {
    schema: "bulwark-bench/1",
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
    tools: { k6: { version: k6.version, path: k6.path }, wrk: wrkVersion },
    settings,
    figures: { a, b, c, d, e, f },
  };
  await mkdir(benchResultsDir(), { recursive: true });
  const resultPath = repoPath("reports", "bench", `bench-${startedAt.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}.json`);
  await writeFile(resultPath, JSON.stringify(result, null, 2) + "\n");

  process.stdout.write(`\nbulwark load benchmark (${cpus().length} CPUs, load average ${loadAtStart[0]?.toFixed(1)} at start, ${loadavg()[0]?.toFixed(1)} at end; medians of ${settings.trials} trial(s))\n`);
  process.stdout.write(table(rows) + "\n");
  process.stdout.write(`results: ${resultPath}\n`);
  return { ok: ![a, b, c, d, e, f].some(failed), resultPath };
}
