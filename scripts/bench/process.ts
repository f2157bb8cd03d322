import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cacheDir } from "../core/cache-dir.ts";
import { ToolingError } from "../core/errors.ts";
import { exec, tail } from "../core/exec.ts";
import { repoPath } from "../core/repo-root.ts";

export interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Wall-clock spawn and exit times (ms since the epoch), to line up with times in a run summary. */
  spawnedAtMs: number;
  exitedAtMs: number;
}

export interface ProcessOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Keep standard input open as a pipe until the process exits (for `bulwark-engine --watch-stdin`). */
  holdStdin?: boolean;
}

const keptOutput = 200_000;

/**
 * Runs a command in a process group of its own; after `timeoutMs` the whole group is killed, so no
 * load generator outlives its measurement. Output is kept up to its last 200 000 characters.
 */
export function runProcess(command: string, args: readonly string[], options: ProcessOptions): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const spawnedAtMs = Date.now();
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: [options.holdStdin ? "pipe" : "ignore", "pipe", "pipe"], detached: true });
    child.stdin?.on("error", () => {});
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout = (stdout + chunk.toString()).slice(-keptOutput)));
    child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-keptOutput)));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    }, options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      child.stdin?.destroy();
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      resolve({ code, stdout, stderr, wallMs, spawnedAtMs, exitedAtMs: Date.now() });
    });
  });
}

/** What one process cost, as the kernel reported it to the parent that waited for it (wait4's rusage). */
export interface Usage {
  /** The command's arguments (without the command itself). */
  args: string[];
  exitCode: number;
  /** From fork/exec of the command to its exit. */
  wallMs: number;
  userSeconds: number;
  sysSeconds: number;
  /** Peak resident set size (ru_maxrss), in KiB. */
  maxRssKb: number;
}

export const cpuSeconds = (usage: Usage): number => usage.userSeconds + usage.sysSeconds;

/** The small Go program (scripts/bench/rusage/) that runs a command and records its rusage. */
export interface RusageTool {
  path: string;
}

const rusageSourceDir = () => repoPath("scripts", "bench", "rusage");

/** Builds scripts/bench/rusage/ (standard library only, a few seconds) into the user cache, once per source version. */
export async function ensureRusage(log: (line: string) => void): Promise<RusageTool> {
  const hash = createHash("sha256");
  for (const file of ["go.mod", "main.go"]) hash.update(file).update("\0").update(await readFile(join(rusageSourceDir(), file))).update("\0");
  const dir = cacheDir("bench-rusage", hash.digest("hex").slice(0, 16));
  const binary = join(dir, "rusage");
  if (existsSync(binary)) return { path: binary };
  log(`bench: building scripts/bench/rusage (go build, once; cached in ${dir})`);
  await mkdir(cacheDir("bench-rusage"), { recursive: true });
  const staging = await mkdtemp(join(cacheDir("bench-rusage"), ".build-"));
  try {
    const result = await exec("go", ["build", "-trimpath", "-o", join(staging, "rusage"), "."], {
      cwd: rusageSourceDir(),
      env: { ...process.env, CGO_ENABLED: "0", GOFLAGS: `${process.env.GOFLAGS ?? ""} -buildvcs=false`.trim() },
    });
    if (result.code !== 0) throw new ToolingError(`building scripts/bench/rusage failed:\n${tail(result.stderr, 15)}`);
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { path: binary };
}

export async function readUsages(path: string): Promise<Usage[]> {
  const text = await readFile(path, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Usage);
}

export interface MeasuredRun extends ProcessRun {
  usage: Usage;
}

/** Runs a command under the rusage tool: exact CPU time and peak RSS of that one process. */
export async function runMeasured(rusage: RusageTool, command: string, args: readonly string[], options: ProcessOptions): Promise<MeasuredRun> {
  const dir = await mkdtemp(join(tmpdir(), "bulwark-bench-"));
  try {
    const usagePath = join(dir, "usage.jsonl");
    const run = await runProcess(rusage.path, [usagePath, "--", command, ...args], options);
    const usage = (await readUsages(usagePath))[0];
    if (!usage) throw new Error(`${command} ${args[0] ?? ""}: no resource usage recorded (exit ${run.code}):\n${tail(run.stderr, 10)}`);
    return { ...run, usage };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A stand-in for the engine binary, for `BULWARK_ENGINE`: it runs the real engine under the rusage
 * tool and appends one usage line per engine process (version, inspect, run) to `usagePath`. The CLI
 * runs unchanged; only the engine's cost becomes exactly measurable.
 */
export async function writeEngineWrapper(dir: string, rusage: RusageTool, enginePath: string, usagePath: string): Promise<string> {
  const path = join(dir, "bulwark-engine");
  const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  await writeFile(path, `#!/bin/sh\nexec ${quote(rusage.path)} ${quote(usagePath)} -- ${quote(enginePath)} "$@"\n`);
  await chmod(path, 0o755);
  return path;
}
