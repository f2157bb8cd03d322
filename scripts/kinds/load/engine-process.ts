import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { watchProcessCpu } from "./process-cpu.ts";

/** The engine's documented exit codes (docs/engine.md). */
export const engineExit = {
  passed: 0,
  thresholdsFailed: 10,
  thresholdsAborted: 11,
  scriptError: 20,
  setupFailed: 21,
  teardownFailed: 22,
  scriptAborted: 23,
  interrupted: 30,
  stdinClosed: 31,
  usage: 40,
  internal: 41,
} as const;

/** How long the engine gets to stop gracefully (and write its summary) after SIGINT before it is killed. */
const stopGraceMs = 20_000;

export interface EngineInvocation {
  binary: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  logPath: string;
  abortSignal: AbortSignal;
}

export interface EngineOutcome {
  exitCode: number | null;
  aborted: boolean;
  /** The end of what the engine wrote on stdout and stderr. */
  log: string;
  /** The engine's user + system CPU seconds, last read while it ran; null where /proc is unreadable. */
  cpuSeconds: number | null;
}

/**
 * Runs the engine to its end. It is detached, so a terminal's Ctrl-C reaches bulwark alone, which then
 * stops it with SIGINT; and it watches its standard input, whose other end only bulwark holds, so the
 * load stops within a second when bulwark dies for any reason.
 */
export function runEngine(invocation: EngineInvocation): Promise<EngineOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(invocation.binary, ["run", "--watch-stdin", ...invocation.args], {
      env: invocation.env,
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    const cpu = watchProcessCpu(child.pid);
    // Held open, never written: its closing is the engine's signal that bulwark is gone.
    child.stdin.on("error", () => {});
    const logFile = createWriteStream(invocation.logPath);
    let recentLog = "";
    const keep = (chunk: Buffer) => {
      logFile.write(chunk);
      recentLog = (recentLog + chunk.toString()).slice(-20_000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      aborted = true;
      child.kill("SIGINT");
      killTimer = setTimeout(() => child.kill("SIGKILL"), stopGraceMs);
    };
    if (invocation.abortSignal.aborted) onAbort();
    else invocation.abortSignal.addEventListener("abort", onAbort, { once: true });
    child.on("error", (error) => {
      cpu.stop();
      reject(error);
    });
    child.on("close", (code) => {
      const cpuSeconds = cpu.stop();
      clearTimeout(killTimer);
      invocation.abortSignal.removeEventListener("abort", onAbort);
      child.stdin.destroy();
      logFile.end(() => resolve({ exitCode: code, aborted: aborted || code === engineExit.interrupted, log: recentLog, cpuSeconds }));
    });
  });
}

interface EngineLogLine {
  level?: string;
  msg?: string;
  kind?: string;
  at?: string;
}

/** esbuild's source map names files relative to dist/scenarios/; a reader wants them from the repo root. */
function fromRepoRoot(at: string): string {
  return at.replace(/^(\.\.\/)+/, "");
}

/** The engine's last error line as one readable line: `message (at file.ts:12:5)`. */
export function engineErrorMessage(log: string): string {
  const lines = log.trimEnd().split("\n").reverse();
  for (const line of lines) {
    if (!line.startsWith("{")) continue;
    let parsed: EngineLogLine;
    try {
      parsed = JSON.parse(line) as EngineLogLine;
    } catch {
      continue;
    }
    if (parsed.level === "error" && parsed.msg) return parsed.at ? `${parsed.msg} (at ${fromRepoRoot(parsed.at)})` : parsed.msg;
  }
  return lines.slice(0, 3).reverse().join(" | ") || "no output";
}
