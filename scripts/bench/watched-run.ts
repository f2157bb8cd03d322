import { spawn } from "node:child_process";
import { watchK6, type K6Usage } from "./k6-process.ts";

export interface WatchedRun {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Wall-clock spawn and exit times (ms since the epoch), to line up with times in a run summary. */
  spawnedAtMs: number;
  exitedAtMs: number;
  /** The k6 process that ran under this command (itself or its child), or null if none was seen. */
  k6: K6Usage | null;
}

/** Runs a command that is or starts k6, timing it and following k6's peak RSS and CPU; killed after `timeoutMs`. */
export function runWatched(command: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<WatchedRun> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const spawnedAtMs = Date.now();
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs, killSignal: "SIGKILL" });
    const watch = child.pid === undefined ? null : watchK6(child.pid);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    // Only the end is ever shown (in an error message): keep memory bounded on chatty runs.
    child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
    child.on("error", (error) => {
      watch?.stop();
      reject(error);
    });
    child.on("close", (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      resolve({ code, stdout, stderr, wallMs, spawnedAtMs, exitedAtMs: Date.now(), k6: watch?.stop() ?? null });
    });
  });
}
