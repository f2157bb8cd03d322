// Builds the cluster binaries from the Go module proxy, once per recipe: outputs are keyed by a hash of
// the recipe and the Go version, so a pin change rebuilds only its component and nothing else rebuilds.
import { createHash } from "node:crypto";
import { createWriteStream, existsSync } from "node:fs";
import { chmod, copyFile, cp, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { cacheDir } from "../../core/cache-dir.ts";
import { ToolingError } from "../../core/errors.ts";
import { exec, tail } from "../../core/exec.ts";
import { formatDuration } from "../../core/output.ts";
import { goDirective, maxGoVersion, parseReplaces, renderWrapperGoMod } from "./go-mod.ts";
import { recipes, type BinaryName, type GoRecipe } from "./recipes.ts";
import { withLock } from "../../core/process-lock.ts";
import { clusterLockPath, waitingFor } from "./paths.ts";

export type BinaryPaths = Record<BinaryName, string>;

/** Where a built recipe's assets are (for example Chaos Mesh's crd.yaml). */
export async function assetPath(recipeName: string, asset: string): Promise<string | undefined> {
  const recipe = recipes.find((candidate) => candidate.name === recipeName);
  if (!recipe || !(await isBuilt(recipe))) return undefined;
  return join(await recipeBinDir(recipe), asset);
}

export interface BuildReport {
  /** recipes built by this call, with their durations */
  built: { name: string; seconds: number }[];
  /** recipes that failed, with the reason (the others still work) */
  failed: { name: string; reason: string }[];
  binaries: Partial<BinaryPaths>;
}

const completeMarker = ".complete.json";

let goVersionCache: string | undefined;
async function goVersion(): Promise<string> {
  if (goVersionCache) return goVersionCache;
  const result = await exec("go", ["env", "GOVERSION"]).catch(() => undefined);
  if (!result || result.code !== 0) throw new ToolingError("cluster: the Go toolchain (go) is needed to build the cluster binaries and was not found on PATH");
  goVersionCache = result.stdout.trim();
  return goVersionCache;
}

export async function recipeKey(recipe: GoRecipe): Promise<string> {
  const hash = createHash("sha256")
    .update(
      JSON.stringify({
        module: recipe.module,
        version: recipe.version,
        replacement: recipe.localReplacement.describe,
        binaries: recipe.binaries,
        assets: recipe.assets,
        versionVariables: recipe.versionVariables,
        ...(recipe.alsoRequires || recipe.cgo || recipe.tags ? { alsoRequires: recipe.alsoRequires, cgo: recipe.cgo, tags: recipe.tags } : {}),
        go: await goVersion(),
      }),
    )
    .digest("hex")
    .slice(0, 10);
  return `${recipe.name}-${recipe.version}-${hash}`;
}

export async function recipeBinDir(recipe: GoRecipe): Promise<string> {
  return cacheDir("cluster", "bin", await recipeKey(recipe));
}

async function isBuilt(recipe: GoRecipe): Promise<boolean> {
  return existsSync(join(await recipeBinDir(recipe), completeMarker));
}

/** Paths of all binaries whose recipe is already built (nothing is built). */
export async function builtBinaries(): Promise<Partial<BinaryPaths>> {
  const binaries: Partial<BinaryPaths> = {};
  // Without Go nothing can have been built with it (the Go version is part of every cache key).
  if (!(await goVersion().catch(() => undefined))) return binaries;
  for (const recipe of recipes) {
    if (!(await isBuilt(recipe))) continue;
    const dir = await recipeBinDir(recipe);
    for (const binary of recipe.binaries) binaries[binary.file as BinaryName] = join(dir, binary.file);
  }
  return binaries;
}

/**
 * Builds every recipe that is not built yet (the real node's only when asked for); a failing recipe is
 * reported, not thrown, so the rest still works.
 */
export async function ensureBinaries(log: (line: string) => void, options: { realNode?: boolean } = {}): Promise<BuildReport> {
  const report: BuildReport = { built: [], failed: [], binaries: {} };
  await buildGroup(recipes.filter((recipe) => !recipe.realNodeOnly), "cluster-build", report, log);
  // Their own lock: a real-node build never holds up another process that only wants the control plane.
  if (options.realNode) await buildGroup(recipes.filter((recipe) => recipe.realNodeOnly), "cluster-build-real-node", report, log);
  report.binaries = await builtBinaries();
  return report;
}

async function buildGroup(group: GoRecipe[], lockName: string, report: BuildReport, log: (line: string) => void): Promise<void> {
  if ((await Promise.all(group.map(isBuilt))).every(Boolean)) return;
  await withLock(clusterLockPath(lockName), waitingFor(lockName, log), async () => {
    for (const recipe of group) {
      if (await isBuilt(recipe)) continue;
      const started = Date.now();
      const slow = recipe.name === "kubernetes" ? ", the longest: 5-15 min on 2 cores" : "";
      log(`cluster: building ${recipe.name} ${recipe.version} from the Go module proxy (once per pin${slow}; log in ${cacheDir("cluster", "src")})`);
      try {
        await buildRecipe(recipe);
        await pruneOtherBuilds(recipe);
        const seconds = Math.round((Date.now() - started) / 1000);
        report.built.push({ name: recipe.name, seconds });
        log(`cluster: built ${recipe.name} in ${formatDuration(Date.now() - started)}`);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        report.failed.push({ name: recipe.name, reason });
        log(`cluster: building ${recipe.name} failed: ${reason}`);
      }
    }
  });
}

async function buildRecipe(recipe: GoRecipe): Promise<void> {
  const key = await recipeKey(recipe);
  const moduleDir = cacheDir("cluster", "src", key);
  const binDir = await recipeBinDir(recipe);
  await rm(moduleDir, { recursive: true, force: true });
  await rm(binDir, { recursive: true, force: true });
  await mkdir(moduleDir, { recursive: true });
  const logFile = join(moduleDir, "build.log");
  const env = { ...process.env, GOWORK: "off", GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod -buildvcs=false", CGO_ENABLED: recipe.cgo ? "1" : "0" };
  const wrapperModule = `bulwark.local/cluster/${recipe.name}`;

  await writeFile(join(moduleDir, "go.mod"), `module ${wrapperModule}\n\ngo 1.22\n`);
  const download = await exec("go", ["mod", "download", "-json", `${recipe.module}@${recipe.version}`], { cwd: moduleDir, env });
  if (download.code !== 0) throw new ToolingError(`go mod download ${recipe.module}@${recipe.version} failed:\n${tail(download.stdout + download.stderr, 15)}`);
  const downloaded = JSON.parse(download.stdout) as { GoMod?: string; Dir?: string; Error?: string };
  if (downloaded.Error || !downloaded.GoMod || !downloaded.Dir) throw new ToolingError(`go mod download ${recipe.module}@${recipe.version}: ${downloaded.Error ?? "no go.mod"}`);
  const upstreamGoMod = await readFile(downloaded.GoMod, "utf8");

  const goMod = renderWrapperGoMod({
    module: wrapperModule,
    goVersion: maxGoVersion(goDirective(upstreamGoMod) ?? "1.22", "1.22"),
    requires: { [recipe.module]: recipe.version, ...recipe.alsoRequires },
    upstreamReplaces: parseReplaces(upstreamGoMod),
    localReplacement: recipe.localReplacement.versionFor,
    tools: recipe.binaries.map((binary) => binary.package),
  });
  await writeFile(join(moduleDir, "go.mod"), goMod);
  // Upstream's go.sum holds hashes the project verified; seeding ours with it avoids checksum-database
  // lookups that fail for a few old modules.
  const upstreamSum = join(downloaded.Dir, "go.sum");
  if (existsSync(upstreamSum)) {
    await copyFile(upstreamSum, join(moduleDir, "go.sum"));
    await chmod(join(moduleDir, "go.sum"), 0o644);
  }

  await runLogged("go", ["mod", "tidy"], moduleDir, env, logFile);
  const ldflags = ["-s", "-w", ...Object.entries(recipe.versionVariables).map(([name, value]) => `-X=${name}=${value}`)].join(" ");
  const outDir = join(moduleDir, "out");
  await mkdir(outDir, { recursive: true });
  const tags = recipe.tags && recipe.tags.length > 0 ? [`-tags=${recipe.tags.join(",")}`] : [];
  await runLogged("go", ["build", "-trimpath", ...tags, `-ldflags=${ldflags}`, "-o", outDir + "/", ...recipe.binaries.map((binary) => binary.package)], moduleDir, env, logFile);

  await mkdir(binDir, { recursive: true });
  for (const binary of recipe.binaries) {
    await rename(join(outDir, defaultBinaryName(binary.package)), join(binDir, binary.file));
  }
  for (const asset of recipe.assets ?? []) {
    await cp(join(downloaded.Dir, asset.from), join(binDir, asset.to), { recursive: true });
  }
  await writeFile(join(binDir, completeMarker), JSON.stringify({ recipe: key, builtAt: new Date().toISOString() }) + "\n");
}

/** Removes builds of older pins or recipes of the same component: they are never used again. */
async function pruneOtherBuilds(recipe: GoRecipe): Promise<void> {
  const current = await recipeKey(recipe);
  for (const kind of ["bin", "src"]) {
    const dir = cacheDir("cluster", kind);
    for (const entry of await readdir(dir).catch(() => [])) {
      if (entry.startsWith(`${recipe.name}-`) && entry !== current) await rm(join(dir, entry), { recursive: true, force: true });
    }
  }
}

/** The file name `go build -o dir/` gives a main package: its last path element, ignoring a /vN suffix. */
export function defaultBinaryName(packagePath: string): string {
  const parts = packagePath.split("/");
  const last = parts.at(-1) ?? packagePath;
  return /^v\d+$/.test(last) && parts.length > 1 ? (parts.at(-2) ?? last) : last;
}

function runLogged(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const log = createWriteStream(logFile, { flags: "a" });
    log.write(`$ ${command} ${args.join(" ")}\n`);
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let recent = "";
    const collect = (chunk: Buffer) => {
      log.write(chunk);
      recent = (recent + chunk.toString()).slice(-8000);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", (error) => {
      log.end();
      reject(error);
    });
    child.on("close", (code) => {
      log.end();
      if (code === 0) resolve();
      else reject(new ToolingError(`${command} ${args.slice(0, 2).join(" ")} failed (exit ${code}; full log ${logFile}):\n${tail(recent.split("\n").filter((line) => !line.startsWith("go: downloading")).join("\n"), 15)}`));
    });
  });
}
