import { exec, tail } from "../core/exec.ts";
import { say } from "../core/output.ts";
import { aptInstall } from "../setup/apt-install.ts";
import { cpuSeconds, runMeasured, type RusageTool } from "./process.ts";
import type { GeneratorSample } from "./stats.ts";

/** wrk from PATH, or installed from Debian (`apt-get install wrk`) when we may; null when unavailable. */
export async function ensureWrk(): Promise<string | null> {
  const found = await exec("sh", ["-c", "command -v wrk"]);
  if (found.code === 0) return found.stdout.trim();
  const canInstall = process.getuid?.() === 0 && (await exec("sh", ["-c", "command -v apt-get"])).code === 0;
  if (!canInstall) return null;
  say("bench: installing wrk from Debian (apt-get install wrk)");
  try {
    await aptInstall("bench", ["wrk"]);
  } catch (error) {
    say(`bench: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
  return "wrk";
}

export interface WrkResult extends GeneratorSample {
  /** wrk's --latency percentiles (50, 75, 90, 99) in ms. */
  latencyMs: Record<string, number>;
}

const msPerUnit: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

/** The "Latency Distribution" block: lines such as `     90%   52.10ms`. */
function latencyPercentiles(output: string): Record<string, number> {
  const percentiles: Record<string, number> = {};
  for (const match of output.matchAll(/^\s+(\d+)%\s+([\d.]+)(us|ms|s|m)\s*$/gm)) {
    const [, percent, value, unit] = match;
    if (percent && value && unit) percentiles[`p${percent}`] = Number(value) * (msPerUnit[unit] ?? 1);
  }
  return percentiles;
}

/** `wrk` at full speed: `threads` threads sharing `connections` keep-alive connections for `seconds`. */
export async function runWrk(wrk: string, rusage: RusageTool, url: string, connections: number, threads: number, seconds: number): Promise<WrkResult> {
  const result = await runMeasured(rusage, wrk, ["--latency", `-t${threads}`, `-c${connections}`, `-d${seconds}s`, url], { timeoutMs: (seconds + 30) * 1000 });
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(result.stdout);
  const requests = /(\d+) requests in/.exec(result.stdout);
  if (result.code !== 0 || !rate?.[1] || !requests?.[1]) throw new Error(`wrk failed (code ${result.code}):\n${tail(result.stdout + result.stderr, 10)}`);
  // wrk prints these lines only when some requests failed or answered non-2xx/3xx.
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(result.stdout)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(result.stdout);
  const errors = non2xx + (socketErrors ? socketErrors.slice(1).reduce((total, n) => total + Number(n), 0) : 0);
  return {
    ratePerSecond: Number(rate[1]),
    requests: Number(requests[1]),
    errors,
    cpuSeconds: cpuSeconds(result.usage),
    maxRssKb: result.usage.maxRssKb,
    latencyMs: latencyPercentiles(result.stdout),
  };
}
