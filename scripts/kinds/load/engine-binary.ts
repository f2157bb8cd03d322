import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { cacheDir } from "../../core/cache-dir.ts";
import { ToolingError } from "../../core/errors.ts";
import { exec, tail } from "../../core/exec.ts";
import { toolVersion } from "../../core/provenance.ts";
import { repoPath } from "../../core/repo-root.ts";

/** Path of a ready engine binary; BULWARK_ENGINE overrides the build. */
export const engineBinaryEnvVar = "BULWARK_ENGINE";
/** Set to 1 to forbid building the engine (tests, CI images that ship a prebuilt one). */
export const engineNoBuildEnvVar = "BULWARK_ENGINE_NO_BUILD";

export interface EngineBinary {
  path: string;
  /** "bulwark-engine <package version>+<source hash>", as the binary prints it. */
  version: string;
  source: "env" | "cache" | "built";
}

export const engineSourceDir = (): string => repoPath("scripts", "engine");

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && (/\.go$/.test(entry.name) || entry.name === "go.mod" || entry.name === "go.sum"))
    .filter((entry) => !entry.name.endsWith("_test.go") && !`${entry.parentPath}${sep}`.includes(`${sep}testdata${sep}`))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** Hash of the engine's sources (tests excluded): the cache key, so an edited engine is rebuilt. */
export async function engineSourceHash(dir = engineSourceDir()): Promise<string> {
  const hash = createHash("sha256");
  for (const file of await sourceFiles(dir)) {
    hash.update(relative(dir, file)).update("\0").update(await readFile(file)).update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

async function versionOf(binary: string): Promise<string | null> {
  const result = await exec(binary, ["version"]).catch(() => null);
  const match = /^bulwark-engine (\S+)/m.exec(result?.stdout ?? "");
  return result?.code === 0 && match ? `bulwark-engine ${match[1]}` : null;
}

/** Where the engine for the current sources is (or would be) built, and the version it must print. */
async function cachedEngineLocation(): Promise<{ hash: string; versionLabel: string; binDir: string; binary: string }> {
  const hash = await engineSourceHash();
  const binDir = cacheDir("engine", hash);
  return { hash, versionLabel: `${toolVersion}+${hash}`, binDir, binary: join(binDir, "bulwark-engine") };
}

export type EngineLookup = { found: true; engine: EngineBinary } | { found: false; expectedPath: string; problem: string };

/**
 * The load engine if it is ready to use ($BULWARK_ENGINE, or the build of the current sources in the user
 * cache); builds nothing. For `bulwark doctor`, and the first step of ensureEngine.
 */
export async function findEngine(): Promise<EngineLookup> {
  const explicit = process.env[engineBinaryEnvVar];
  if (explicit) {
    const version = await versionOf(explicit);
    if (!version) return { found: false, expectedPath: explicit, problem: `${engineBinaryEnvVar}=${explicit} is not a working bulwark-engine binary` };
    return { found: true, engine: { path: explicit, version, source: "env" } };
  }
  const { versionLabel, binary } = await cachedEngineLocation();
  if (existsSync(binary) && (await versionOf(binary)) === `bulwark-engine ${versionLabel}`) return { found: true, engine: { path: binary, version: `bulwark-engine ${versionLabel}`, source: "cache" } };
  return { found: false, expectedPath: binary, problem: `the load engine is not built (${binary} is missing)` };
}

export const goIsInstalled = async (): Promise<boolean> => (await exec("go", ["version"]).catch(() => null))?.code === 0;

export interface EnsureEngineOptions {
  /** Forbid building (default: $BULWARK_ENGINE_NO_BUILD=1); `bulwark setup --engine` always may build. */
  forbidBuild?: boolean;
}

/**
 * The load engine: $BULWARK_ENGINE, else the build in the user cache keyed by the source hash, else
 * built now with `go build` from the Go module proxy (unless building is forbidden). Building writes
 * only the user's cache; nothing is installed on the system.
 */
export async function ensureEngine(log: (line: string) => void = () => {}, options: EnsureEngineOptions = {}): Promise<EngineBinary> {
  const lookup = await findEngine();
  if (lookup.found) return lookup.engine;
  if (process.env[engineBinaryEnvVar]) throw new ToolingError(lookup.problem);
  const { hash, versionLabel, binDir, binary } = await cachedEngineLocation();

  if (options.forbidBuild ?? process.env[engineNoBuildEnvVar] === "1") {
    throw new ToolingError(`the load engine is not built (${binary} is missing) and ${engineNoBuildEnvVar}=1 forbids building it: run 'bulwark setup --engine' (or unset ${engineNoBuildEnvVar})`);
  }
  if (!(await goIsInstalled())) {
    throw new ToolingError("the load engine is not built and Go is not installed to build it: install Go (https://go.dev/doc/install), then run 'bulwark setup --engine', or set BULWARK_ENGINE to a built engine");
  }
  log(`bulwark: building the load engine ${versionLabel} with go build (once; cached in ${binDir})`);
  await mkdir(cacheDir("engine"), { recursive: true });
  const staging = await mkdtemp(join(cacheDir("engine"), ".build-"));
  try {
    const result = await exec("go", ["build", "-trimpath", "-mod=readonly", "-ldflags", `-s -w -X main.version=${versionLabel}`, "-o", join(staging, "bulwark-engine"), "."], {
      cwd: engineSourceDir(),
      env: { ...process.env, CGO_ENABLED: "0", GOFLAGS: `${process.env.GOFLAGS ?? ""} -buildvcs=false`.trim() },
    });
    if (result.code !== 0) throw new ToolingError(`building the load engine failed:\n${tail(result.stderr, 15)}`);
    await rm(binDir, { recursive: true, force: true });
    await rename(staging, binDir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  await pruneOtherBuilds(hash);
  return { path: binary, version: `bulwark-engine ${versionLabel}`, source: "built" };
}

/** Builds of other sources are dead weight once the current one exists. */
async function pruneOtherBuilds(currentHash: string): Promise<void> {
  const root = cacheDir("engine");
  for (const entry of await readdir(root).catch(() => [] as string[])) {
    if (entry !== currentHash && /^[0-9a-f]{16}$/.test(entry)) await rm(join(root, entry), { recursive: true, force: true });
  }
}
