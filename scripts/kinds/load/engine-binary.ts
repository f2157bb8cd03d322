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

/**
 * The load engine: $BULWARK_ENGINE, else the build in the user cache keyed by the source hash, else
 * built now with `go build` from the Go module proxy (unless building is forbidden).
 */
export async function ensureEngine(log: (line: string) => void = () => {}): Promise<EngineBinary> {
  const explicit = process.env[engineBinaryEnvVar];
  if (explicit) {
    const version = await versionOf(explicit);
    if (!version) throw new ToolingError(`${engineBinaryEnvVar}=${explicit} is not a working bulwark-engine binary`);
    return { path: explicit, version, source: "env" };
  }
  const hash = await engineSourceHash();
  const versionLabel = `${toolVersion}+${hash}`;
  const binDir = cacheDir("engine", hash);
  const binary = join(binDir, "bulwark-engine");
  if (existsSync(binary) && (await versionOf(binary)) === `bulwark-engine ${versionLabel}`) return { path: binary, version: `bulwark-engine ${versionLabel}`, source: "cache" };

  if (process.env[engineNoBuildEnvVar] === "1") {
    throw new ToolingError(`the load engine is not built (${binary} is missing) and ${engineNoBuildEnvVar}=1 forbids building it: run 'npm run setup' (or unset ${engineNoBuildEnvVar})`);
  }
  if ((await exec("go", ["version"]).catch(() => null))?.code !== 0) {
    throw new ToolingError("the load engine is not built and Go is not installed to build it: install Go (apt-get install golang, or https://go.dev/doc/install), or set BULWARK_ENGINE to a built engine");
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
