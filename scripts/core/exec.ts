import { spawn, type SpawnOptions } from "node:child_process";

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion and captures its output; never throws on a non-zero exit. */
export function exec(command: string, args: readonly string[], options: SpawnOptions & { input?: string } = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    if (options.input !== undefined) {
      // A child that exits before reading its input must not crash bulwark with EPIPE.
      child.stdin?.on("error", () => {});
      child.stdin?.end(options.input);
    }
  });
}

/** Last `lines` lines of a text, for error messages that quote a tool's output. */
export function tail(text: string, lines = 20): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
