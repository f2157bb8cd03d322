import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { cacheDir } from "../lib/cache-dir.ts";
import { ToolingError } from "../lib/errors.ts";
import { exec, tail } from "../lib/exec.ts";

/** The pinned k6 release: the newest the Go module proxy serves (the v2 module path is not served there). */
export const k6Module = "go.k6.io/k6";
export const k6Version = "v1.8.1";

export interface K6Binary {
  path: string;
  version: string;
  source: "env" | "path" | "cache" | "built";
}

async function versionOf(binary: string): Promise<string | null> {
  try {
    const result = await exec(binary, ["version"], { env: offlineK6Env() });
    const match = /k6 (v\d+\.\d+\.\d+)/.exec(result.stdout + result.stderr);
    return match?.[1] ?? null;
  } catch {
    return null;
  }
}

/** k6 settings for a closed network: no usage report, no automatic extension download. */
export function offlineK6Env(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, K6_NO_USAGE_REPORT: "true", K6_AUTO_EXTENSION_RESOLUTION: "false" };
}

/**
 * Finds k6 at the pinned version: $BULWARK_K6, then PATH, then the user cache; otherwise builds it with
 * `go install` from the Go module proxy into the cache, keyed by version.
 */
export async function ensureK6(log: (line: string) => void = () => {}): Promise<K6Binary> {
  const explicit = process.env.BULWARK_K6;
  if (explicit) {
    const version = await versionOf(explicit);
    if (!version) throw new ToolingError(`BULWARK_K6=${explicit} is not a working k6 binary`);
    return { path: explicit, version, source: "env" };
  }
  if ((await versionOf("k6")) === k6Version) return { path: "k6", version: k6Version, source: "path" };

  const binDir = cacheDir("k6", k6Version, "bin");
  const cached = join(binDir, "k6");
  if (existsSync(cached) && (await versionOf(cached)) === k6Version) return { path: cached, version: k6Version, source: "cache" };

  if ((await exec("go", ["version"]).catch(() => null))?.code !== 0) {
    throw new ToolingError(
      `k6 ${k6Version} is not on PATH and Go is not installed to build it: install Go (https://go.dev/doc/install or 'apt-get install golang') or put k6 ${k6Version} on PATH, or set BULWARK_K6`,
    );
  }
  log(`bulwark: building k6 ${k6Version} with go install (once; cached in ${binDir})`);
  await mkdir(cacheDir("k6"), { recursive: true });
  const staging = await mkdtemp(join(cacheDir("k6"), ".build-"));
  try {
    const result = await exec("go", ["install", "-trimpath", `${k6Module}@${k6Version}`], {
      env: { ...process.env, GOBIN: staging, GOFLAGS: `${process.env.GOFLAGS ?? ""} -buildvcs=false`.trim() },
    });
    if (result.code !== 0) throw new ToolingError(`building k6 ${k6Version} failed:\n${tail(result.stderr, 15)}`);
    await mkdir(join(binDir, ".."), { recursive: true });
    await rm(binDir, { recursive: true, force: true });
    await rename(staging, binDir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { path: cached, version: k6Version, source: "built" };
}
