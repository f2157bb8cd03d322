import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { cacheDir } from "../../core/cache-dir.ts";
import { ToolingError } from "../../core/errors.ts";
import { exec, tail } from "../../core/exec.ts";
import { formatDuration } from "../../core/output.ts";
import { repoPath } from "../../core/repo-root.ts";
import { primaryMirror, readAptSources, sourcesForSuite, toOneLineSources } from "./apt-sources.ts";
import { findExecutable } from "./engine.ts";
import { aptInstall } from "../../setup/apt-install.ts";
import { withLock } from "../../core/process-lock.ts";
import { bundleDemoTarget } from "./demo-target-bundle.ts";

/** Images that run as containers; each has a Dockerfile under scripts/local/images/<name>/. */
export const serviceImages = ["postgres", "demo-target", "prometheus", "alertmanager"] as const;
export type ServiceImage = (typeof serviceImages)[number];
export type ImageName = "base" | ServiceImage;

/** Labels on everything bulwark builds or starts, so that status, down and sweeps find them. */
export const labels = {
  managed: "org.bulwark.managed",
  image: "org.bulwark.image",
  recipeHash: "org.bulwark.recipe-hash",
} as const;

/** BULWARK_IMAGE_POSTGRES, BULWARK_IMAGE_DEMO_TARGET, ...: point an image at an official one instead. */
export const overrideVariable = (name: ImageName): string => `BULWARK_IMAGE_${name.toUpperCase().replace(/-/g, "_")}`;

export const recipeDir = (name: ImageName): string => repoPath("scripts", "local", "images", name);

interface BaseRecipe {
  suite: string;
  variant: string;
  include: string[];
}

export interface ResolvedImage {
  name: ImageName;
  /** What containers are started from: `bulwark/<name>:<recipe hash>` or the override. */
  reference: string;
  /** True when an environment variable names another image: bulwark neither builds nor labels it. */
  overridden: boolean;
  recipeHash?: string;
}

/** Extra files some build contexts need besides their recipe folder (name -> content). */
function extraContextFiles(name: ImageName): Record<string, Buffer> {
  if (name === "demo-target") return { "demo-target.mjs": bundleDemoTarget() };
  return {};
}

function hashFolder(hash: ReturnType<typeof createHash>, folder: string): void {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true })
      .flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)]))
      .sort();
  for (const file of walk(folder)) {
    hash.update(relative(folder, file)).update("\0").update(String(statSync(file).mode & 0o111)).update("\0");
    hash.update(readFileSync(file)).update("\0");
  }
}

function baseRecipe(): { recipe: BaseRecipe; sourcesList: string; mirror: string } {
  const recipe = JSON.parse(readFileSync(join(recipeDir("base"), "recipe.json"), "utf8")) as BaseRecipe;
  const sources = readAptSources();
  const mirror = primaryMirror(sources, recipe.suite);
  if (!mirror) {
    throw new ToolingError(`image base: no apt source for Debian '${recipe.suite}' (main) in /etc/apt/sources.list or /etc/apt/sources.list.d; set ${overrideVariable("base")} to use a ready-made base image`);
  }
  return { recipe, sourcesList: toOneLineSources(sourcesForSuite(sources, recipe.suite)), mirror };
}

/** Works out the reference of every image without touching the engine (hashes of the recipes). */
export function resolveImage(name: ImageName): ResolvedImage {
  const override = process.env[overrideVariable(name)];
  if (override) return { name, reference: override, overridden: true };
  const hash = createHash("sha256");
  hashFolder(hash, recipeDir(name));
  if (name === "base") {
    const { sourcesList } = baseRecipe();
    hash.update(sourcesList);
  } else {
    hash.update(resolveImage("base").reference);
    for (const [file, content] of Object.entries(extraContextFiles(name))) hash.update(file).update("\0").update(content);
  }
  const recipeHash = hash.digest("hex").slice(0, 16);
  return { name, reference: `bulwark/${name}:${recipeHash}`, overridden: false, recipeHash };
}

export async function imageExists(reference: string): Promise<boolean> {
  const result = await exec("docker", ["image", "inspect", "--format", "{{.Id}}", reference]);
  return result.code === 0;
}

export interface EnsureImageOptions {
  log: (line: string) => void;
  /** Build from this folder instead of scripts/local/images/<name> (tests use a broken recipe). */
  recipeDir?: string;
}

/** Builds an image when its hash-tagged reference is absent; returns what happened. */
export async function ensureImage(name: ImageName, options: EnsureImageOptions): Promise<{ image: ResolvedImage; built: boolean; ms: number }> {
  const image = resolveImage(name);
  const started = Date.now();
  if (image.overridden || (await imageExists(image.reference))) return { image, built: false, ms: 0 };
  return withLock(cacheDir("images", `${name}.lock`), { timeoutMs: 1_800_000 }, async () => {
    if (await imageExists(image.reference)) return { image, built: false, ms: Date.now() - started };
    options.log(`image ${name}: building ${image.reference}`);
    if (name === "base") await buildBaseImage(image, options);
    else await buildFromDockerfile(name, image, options.recipeDir ?? recipeDir(name), extraContextFiles(name));
    const ms = Date.now() - started;
    options.log(`image ${name}: built in ${formatDuration(ms)}`);
    await removeOlderBuilds(name, image.reference);
    return { image, built: true, ms };
  });
}

/** Earlier builds of the same image (other recipe hashes) only take disk space; one still in use stays. */
async function removeOlderBuilds(name: ImageName, keep: string): Promise<void> {
  const listed = await exec("docker", ["image", "ls", "--filter", `label=${labels.image}=${name}`, "--format", "{{.Repository}}:{{.Tag}}"]);
  const older = listed.stdout.split("\n").filter((reference) => reference.startsWith(`bulwark/${name}:`) && reference !== keep);
  for (const reference of older) await exec("docker", ["image", "rm", reference]);
}

/**
 * Builds one Dockerfile with the classic builder (DOCKER_BUILDKIT=0): it needs no buildx plugin, and its
 * "Step N/M : ..." lines let a failure name the step that broke.
 */
export async function buildFromDockerfile(name: string, image: ResolvedImage, dir: string, extraFiles: Record<string, Buffer> = {}): Promise<void> {
  const context = mkdtempSync(join(tmpdir(), `bulwark-image-${name}-`));
  try {
    for (const entry of readdirSync(dir)) {
      writeFileSync(join(context, entry), readFileSync(join(dir, entry)), { mode: statSync(join(dir, entry)).mode });
    }
    for (const [file, content] of Object.entries(extraFiles)) writeFileSync(join(context, file), content);
    const args = ["build", "--force-rm", "--tag", image.reference, "--label", `${labels.managed}=true`, "--label", `${labels.image}=${name}`];
    if (image.recipeHash) args.push("--label", `${labels.recipeHash}=${image.recipeHash}`);
    args.push("--build-arg", `BASE_IMAGE=${resolveImage("base").reference}`, context);
    const result = await exec("docker", args, { env: { ...process.env, DOCKER_BUILDKIT: "0" } });
    if (result.code !== 0) {
      // The classic builder's deprecation notice is not part of the failure.
      const output = (result.stdout + result.stderr).replace(/^DEPRECATED: The legacy builder.*\n(?:[ \t]+\S.*\n)*\n?/m, "").replace(/\r/g, "");
      throw new ToolingError(`image ${name}: build failed at ${failingStep(output)}\n${tail(output, 12)}`);
    }
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

/** The last "Step N/M : instruction" line of a classic build (or BuildKit's "[stage n/m] instruction"). */
export function failingStep(output: string): string {
  const classic = [...output.matchAll(/^Step (\d+\/\d+) : (.*)$/gm)].at(-1);
  if (classic) return `step ${classic[1]} (${classic[2]?.trim()})`;
  const buildkit = [...output.matchAll(/^#\d+ \[[^\]]*?(\d+\/\d+)\] (.*)$/gm)].at(-1);
  if (buildkit) return `step ${buildkit[1]} (${buildkit[2]?.trim()})`;
  return "an unknown step";
}

/** debootstrap, which builds the base image; not needed when BULWARK_IMAGE_BASE names a ready-made one. */
export async function installDebootstrap(log: (line: string) => void): Promise<void> {
  if (process.env[overrideVariable("base")] || findExecutable("debootstrap")) return;
  log("image base: installing Debian's debootstrap");
  await aptInstall("image base", ["debootstrap"]);
}

/** debootstrap a minimal root filesystem from the machine's mirror and `docker import` it. */
async function buildBaseImage(image: ResolvedImage, options: EnsureImageOptions): Promise<void> {
  const { recipe, sourcesList, mirror } = baseRecipe();
  if (process.getuid?.() !== 0) throw new ToolingError("image base: debootstrap needs root");
  await installDebootstrap(options.log);
  const work = mkdtempSync(join(cacheDir("images"), "base-build-"));
  const rootfs = join(work, "rootfs");
  const debCache = cacheDir("images", "debootstrap-debs");
  mkdirSync(debCache, { recursive: true });
  try {
    const debootstrap = await exec("debootstrap", [
      `--variant=${recipe.variant}`,
      `--include=${recipe.include.join(",")}`,
      `--cache-dir=${debCache}`,
      recipe.suite,
      rootfs,
      mirror,
    ]);
    if (debootstrap.code !== 0) {
      const log = readFileIfAny(join(rootfs, "debootstrap", "debootstrap.log"));
      throw new ToolingError(`image base: debootstrap ${recipe.suite} from ${mirror} failed\n${tail(debootstrap.stderr + debootstrap.stdout + log, 15)}`);
    }
    writeFileSync(join(work, "sources.list"), sourcesList);
    const finish = await exec("sh", [join(recipeDir("base"), "finish-rootfs.sh"), rootfs, join(work, "sources.list")]);
    if (finish.code !== 0) throw new ToolingError(`image base: finish-rootfs.sh failed\n${tail(finish.stderr + finish.stdout)}`);
    const tarball = join(work, "rootfs.tar");
    const pack = await exec("tar", ["--numeric-owner", "-C", rootfs, "-cf", tarball, "."]);
    if (pack.code !== 0) throw new ToolingError(`image base: tar failed\n${tail(pack.stderr)}`);
    const imported = await exec("docker", [
      "import",
      "--change", `LABEL ${labels.managed}=true ${labels.image}=base ${labels.recipeHash}=${image.recipeHash ?? ""}`,
      "--change", 'CMD ["/bin/bash"]',
      "--change", "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8",
      tarball,
      image.reference,
    ]);
    if (imported.code !== 0) throw new ToolingError(`image base: docker import failed\n${tail(imported.stderr + imported.stdout)}`);
  } finally {
    await unmountBelow(work);
    rmSync(work, { recursive: true, force: true });
  }
}

/** A failed debootstrap can leave /proc or /sys mounted in the root filesystem: never delete through them. */
async function unmountBelow(dir: string): Promise<void> {
  const mounts = readFileIfAny("/proc/mounts")
    .split("\n")
    .map((line) => line.split(" ")[1] ?? "")
    .filter((mountPoint) => mountPoint.startsWith(dir + "/"))
    .reverse();
  for (const mountPoint of mounts) await exec("umount", ["--lazy", mountPoint]);
}

function readFileIfAny(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}
