import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { ToolingError } from "../core/errors.ts";
import { repoPath } from "../core/repo-root.ts";
import { formatDemoFaults, type DemoFaults } from "./faults.ts";
import { faultControlPath, metricsPath } from "./server.ts";

export interface RunningDemoTarget {
  baseUrl: string;
  /** Prometheus metrics of the target. */
  metricsUrl: string;
  /** Switches latency and errors at runtime; resolves with the instant the target applied them. */
  switchFaults(setting: DemoFaults): Promise<Date>;
  stop(): Promise<void>;
}

/** Talks to a running demo target's fault switch (loopback only: the target listens on 127.0.0.1). */
export async function switchDemoFaults(baseUrl: string, setting: DemoFaults): Promise<Date> {
  const response = await fetch(`${baseUrl}${faultControlPath}`, { method: "PUT", body: JSON.stringify(setting), headers: { "Content-Type": "application/json" }, signal: AbortSignal.timeout(5_000) });
  const body = (await response.json()) as { appliedAtMs?: number; error?: string };
  if (!response.ok || typeof body.appliedAtMs !== "number") throw new ToolingError(`demo target fault switch: ${body.error ?? `HTTP ${response.status}`}`);
  return new Date(body.appliedAtMs);
}

/** Starts the demo target as its own process on 127.0.0.1 and a free port, so it never shares a CPU loop with bulwark. */
export function startDemoTarget(faults: DemoFaults, startTimeoutMs = 15_000): Promise<RunningDemoTarget> {
  const args = [repoPath("dist", "demo-target.mjs"), "--host", "127.0.0.1", "--port", "0", "--exit-with-stdin", ...formatDemoFaults(faults).flatMap((fault) => ["--fault", fault])];
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "pipe"], detached: true });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new ToolingError(`demo target did not start within ${startTimeoutMs / 1000}s: ${stderr.trim()}`));
    }, startTimeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new ToolingError(`demo target exited with code ${code}: ${stderr.trim()}`));
    });
    createInterface({ input: child.stdout }).once("line", (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      clearTimeout(timer);
      const baseUrl = match?.[1];
      if (baseUrl) resolve({ baseUrl, metricsUrl: `${baseUrl}${metricsPath}`, switchFaults: (setting) => switchDemoFaults(baseUrl, setting), stop });
      else reject(new ToolingError(`demo target said '${line}' instead of its address`));
    });
  });
}
