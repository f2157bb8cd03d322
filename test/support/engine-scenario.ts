import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleForEngine } from "../../scripts/kinds/load/bundle.ts";
import { ensureEngine } from "../../scripts/kinds/load/engine-binary.ts";
import { nowMs } from "./ground-truth-server.ts";

/** One stderr line of the engine: its JSON fields, or the raw text when it is not JSON. */
export interface EngineLogLine {
  time?: string;
  level?: string;
  msg?: string;
  source?: string;
  kind?: string;
  at?: string;
  raw?: string;
}

export interface MetricSummary {
  type: string;
  contains?: string;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
  exact?: { samples: number; nonZero?: number; limits?: Record<string, { below: number; atOrBelow: number }> };
}

export interface EngineSummary {
  state: { testRunDurationMs: number };
  root_group: { checks: { name: string; passes: number; fails: number }[] };
  metrics: Record<string, MetricSummary>;
}

export interface EngineResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** --summary-json's file, parsed; null when the engine wrote none. */
  summary: EngineSummary | null;
  stderr: EngineLogLine[];
  /** The stderr text as the engine wrote it. */
  stderrText: string;
  stdout: string;
  /** From spawn to exit, as seen by the test. */
  durationMs: number;
  /** nowMs() when the process exited. */
  exitedAt: number;
}

export interface Scenario {
  dir: string;
  /** The TypeScript source, as errors and `at` fields name it. */
  sourcePath: string;
  bundlePath: string;
  summaryPath: string;
}

export interface EngineOptions {
  /** Added to process.env, e.g. { TARGET: server.url }. */
  env?: Record<string, string>;
  /** Extra `run` flags before the bundle. */
  args?: string[];
  /** The engine is SIGKILLed after this long, so a hung engine fails a test instead of hanging it. */
  killAfterMs?: number;
}

const scenarioDirs: string[] = [];
let engineBinary: Promise<string> | undefined;

/** The engine built by the e2e global setup (from the user cache). */
export function enginePath(): Promise<string> {
  engineBinary ??= ensureEngine().then((engine) => engine.path);
  return engineBinary;
}

/** Writes the TypeScript scenario to a fresh directory and bundles it exactly as bulwark does. */
export async function prepareScenario(source: string): Promise<Scenario> {
  const dir = await mkdtemp(join(tmpdir(), "bulwark-engine-e2e-"));
  scenarioDirs.push(dir);
  const sourcePath = join(dir, "scenario.ts");
  await writeFile(sourcePath, source);
  const outdir = join(dir, "bundle");
  await bundleForEngine({ scenario: sourcePath }, outdir);
  return { dir, sourcePath, bundlePath: join(outdir, "scenario.js"), summaryPath: join(dir, "summary.json") };
}

/** Removes every scenario directory this module created. */
export async function removeScenarios(): Promise<void> {
  await Promise.all(scenarioDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export function parseLogLines(text: string): EngineLogLine[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      try {
        const parsed: unknown = JSON.parse(line);
        if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as EngineLogLine;
      } catch {
        // not JSON: kept raw below
      }
      return { raw: line };
    });
}

async function readSummary(path: string): Promise<EngineSummary | null> {
  if (!existsSync(path)) return null;
  return JSON.parse(await readFile(path, "utf8")) as EngineSummary;
}

export interface EngineProcess {
  child: ChildProcess;
  scenario: Scenario;
  startedAt: number;
  result: Promise<EngineResult>;
}

function launch(binary: string, args: string[], scenario: Scenario, options: EngineOptions, watchStdin: boolean): EngineProcess {
  const startedAt = nowMs();
  const child = spawn(binary, args, {
    env: { ...process.env, ...options.env },
    stdio: [watchStdin ? "pipe" : "ignore", "pipe", "pipe"],
    // As bulwark starts it: its own process group, so a terminal's Ctrl-C never reaches it directly.
    detached: watchStdin,
  });
  child.stdin?.on("error", () => {});
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const killTimer = setTimeout(() => child.kill("SIGKILL"), options.killAfterMs ?? 30_000);
  const result = new Promise<EngineResult>((resolve, reject) => {
    let exitedAt = 0;
    child.on("error", reject);
    child.on("exit", () => (exitedAt = nowMs()));
    child.on("close", (exitCode, signal) => {
      clearTimeout(killTimer);
      child.stdin?.destroy();
      readSummary(scenario.summaryPath).then(
        (summary) => resolve({ exitCode, signal, summary, stderr: parseLogLines(stderr), stderrText: stderr, stdout, durationMs: exitedAt - startedAt, exitedAt }),
        reject,
      );
    });
  });
  return { child, scenario, startedAt, result };
}

function runArgs(scenario: Scenario, options: EngineOptions, extra: string[]): string[] {
  return ["run", "--summary-json", scenario.summaryPath, ...extra, ...(options.args ?? []), scenario.bundlePath];
}

/** Bundles and runs the scenario to its end: `bulwark-engine run --summary-json <dir>/summary.json [args] <bundle>`. */
export async function runScenario(source: string, options: EngineOptions = {}): Promise<EngineResult & { scenario: Scenario }> {
  const scenario = await prepareScenario(source);
  const binary = await enginePath();
  const result = await launch(binary, runArgs(scenario, options, []), scenario, options, false).result;
  return { ...result, scenario };
}

/**
 * Starts the engine as bulwark does (detached, standard input a pipe only the test holds, --watch-stdin),
 * for tests that signal it or close its input mid-run.
 */
export async function startEngine(source: string, options: EngineOptions = {}): Promise<EngineProcess> {
  const scenario = await prepareScenario(source);
  const binary = await enginePath();
  return launch(binary, runArgs(scenario, options, ["--watch-stdin"]), scenario, options, true);
}

/** `bulwark-engine inspect <bundle>`: the script's options, or its script error. */
export async function inspectScenario(source: string, options: EngineOptions = {}): Promise<EngineResult & { scenario: Scenario }> {
  const scenario = await prepareScenario(source);
  const binary = await enginePath();
  const result = await launch(binary, ["inspect", scenario.bundlePath], scenario, options, false).result;
  return { ...result, scenario };
}

/** The stderr lines at a level (and of a kind), for assertions. */
export function logLines(result: EngineResult, level: string, kind?: string): EngineLogLine[] {
  return result.stderr.filter((line) => line.level === level && (kind === undefined || line.kind === kind));
}
