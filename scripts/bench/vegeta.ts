import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cacheDir } from "../core/cache-dir.ts";
import { ToolingError } from "../core/errors.ts";
import { exec, tail } from "../core/exec.ts";
import { cpuSeconds, runMeasured, type RusageTool } from "./process.ts";
import type { GeneratorSample } from "./stats.ts";

/** vegeta (MIT), the reference HTTP load generator of figures (1) and (2). */
export const vegetaModule = "github.com/tsenart/vegeta/v12";
export const vegetaVersion = "v12.13.0";

export interface Vegeta {
  path: string;
  version: string;
  /** How long it took to get it: a build, or 0 when it came from the cache. */
  buildMs: number;
}

async function versionOf(binary: string): Promise<string | null> {
  const result = await exec(binary, ["-version"]).catch(() => null);
  // `go install` sets no version string (the release builds do): the cache folder names the version built.
  if (result?.code !== 0) return null;
  const runtime = /Runtime:\s*(\S+)/.exec(result.stdout)?.[1];
  return `vegeta ${vegetaVersion}${runtime ? ` (${runtime})` : ""}`;
}

/**
 * vegeta in the user cache (`cacheDir("vegeta", version)`), built when missing with `go install` from
 * the Go module proxy (about a minute with a cold module cache), as ensureEngine() builds the engine.
 */
export async function ensureVegeta(log: (line: string) => void): Promise<Vegeta> {
  const dir = cacheDir("vegeta", vegetaVersion);
  const binary = join(dir, "vegeta");
  if (existsSync(binary)) {
    const version = await versionOf(binary);
    if (version) return { path: binary, version, buildMs: 0 };
  }
  if ((await exec("go", ["version"]).catch(() => null))?.code !== 0) throw new ToolingError("vegeta is not built and Go is not installed to build it");
  log(`bench: building vegeta ${vegetaVersion} with go install (once; cached in ${dir})`);
  await mkdir(cacheDir("vegeta"), { recursive: true });
  const staging = await mkdtemp(join(cacheDir("vegeta"), ".build-"));
  const started = process.hrtime.bigint();
  try {
    const result = await exec("go", ["install", "-trimpath", "-ldflags", "-s -w", `${vegetaModule}@${vegetaVersion}`], {
      env: { ...process.env, CGO_ENABLED: "0", GOBIN: staging, GOFLAGS: `${process.env.GOFLAGS ?? ""} -buildvcs=false`.trim() },
    });
    if (result.code !== 0) throw new ToolingError(`building vegeta failed:\n${tail(result.stderr, 15)}`);
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  const buildMs = Number(process.hrtime.bigint() - started) / 1e6;
  const version = await versionOf(binary);
  if (!version) throw new ToolingError(`vegeta was built but ${binary} -version fails`);
  return { path: binary, version, buildMs };
}

/** The parts of `vegeta report -type=json` read here. */
interface VegetaReport {
  requests: number;
  rate: number;
  throughput: number;
  success: number;
  duration: number;
  status_codes?: Record<string, number>;
}

/**
 * `vegeta attack -rate=0 -max-workers=N -workers=N -duration=Ds` (as fast as N workers go) on one GET,
 * results to a file, then `vegeta report -type=json`; only the attack's cost is measured (the report
 * runs after it, as the other end of the usual `attack | report` pipe would).
 */
export async function runVegeta(vegeta: Vegeta, rusage: RusageTool, url: string, workers: number, seconds: number): Promise<GeneratorSample> {
  const dir = await mkdtemp(join(tmpdir(), "bulwark-bench-vegeta-"));
  try {
    const targets = join(dir, "targets.txt");
    const results = join(dir, "results.bin");
    await writeFile(targets, `GET ${url}\n`);
    const args = ["attack", "-rate=0", `-max-workers=${workers}`, `-workers=${workers}`, `-duration=${seconds}s`, `-targets=${targets}`, `-output=${results}`];
    const attack = await runMeasured(rusage, vegeta.path, args, { timeoutMs: (seconds + 60) * 1000 });
    if (attack.code !== 0) throw new Error(`vegeta attack exited with code ${attack.code}:\n${tail(attack.stderr, 10)}`);
    const report = await exec(vegeta.path, ["report", "-type=json", results]);
    if (report.code !== 0) throw new Error(`vegeta report exited with code ${report.code}:\n${tail(report.stderr, 10)}`);
    const parsed = JSON.parse(report.stdout) as VegetaReport;
    const ok = Object.entries(parsed.status_codes ?? {}).reduce((total, [status, count]) => total + (status.startsWith("2") ? count : 0), 0);
    return { ratePerSecond: parsed.rate, requests: parsed.requests, errors: parsed.requests - ok, cpuSeconds: cpuSeconds(attack.usage), maxRssKb: attack.usage.maxRssKb };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
