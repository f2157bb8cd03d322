import { createHash } from "node:crypto";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { ToolingError } from "../../core/errors.ts";
import { exec, tail } from "../../core/exec.ts";
import { formatDuration } from "../../core/output.ts";
import { repoPath, repoRoot } from "../../core/repo-root.ts";
import { failingStep, imageExists, labels, resolveImage } from "./images.ts";

/** The runner image's name; `latest` always points at the last build. */
export const runnerImageName = "bulwark/runner";
export const runnerImageLatest = `${runnerImageName}:latest`;

/** What of bulwark's package the runner needs at run time: the CLI bundle, what it bundles scenarios from, the built-in experiments. */
const packageParts = ["package.json", "bulwark.config.json", "bin", "dist", "scenarios", "thresholds", "scripts/core", "chaos/experiments-examples"];

/** Production dependencies as npm installed them (no registry at build time): top-level folders of `npm ls --omit=dev`. */
async function productionModules(): Promise<string[]> {
  const listed = await exec("npm", ["ls", "--omit=dev", "--all", "--parseable"], { cwd: repoRoot });
  const folders = listed.stdout
    .split("\n")
    .map((line) => relative(repoRoot, line.trim()))
    .filter((path) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path));
  if (folders.length === 0) throw new ToolingError(`image runner: 'npm ls --omit=dev' listed no dependencies (run npm ci first)\n${tail(listed.stderr)}`);
  return [...new Set(folders)].sort();
}

function hashTree(hash: ReturnType<typeof createHash>, path: string): void {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).sort()) hashTree(hash, join(path, entry));
    return;
  }
  hash.update(relative(repoRoot, path)).update("\0").update(readFileSync(path)).update("\0");
}

export interface RunnerImageOptions {
  /** The load engine binary to ship (the CLI passes ensureEngine()'s). */
  engineBinary: string;
  log: (line: string) => void;
}

/**
 * Builds the runner image from the estate's base image when its content hash is new: the host's Node
 * binary (Node 20; Debian 12 ships 18), the bulwark package with its installed production dependencies,
 * the load engine and the entrypoint. Tagged `bulwark/runner:<hash>` and `bulwark/runner:latest`.
 */
export async function ensureRunnerImage(options: RunnerImageOptions): Promise<{ reference: string; built: boolean; ms: number }> {
  const started = Date.now();
  // Building the base may install debootstrap: that is `local up`'s job, never this command's.
  const base = resolveImage("base");
  if (!base.overridden && !(await imageExists(base.reference))) throw new ToolingError(`image runner: the base image ${base.reference} is not built: run 'bulwark local up --containers' first`);
  const modules = await productionModules();
  const hash = createHash("sha256");
  const recipe = repoPath("scripts", "local", "images", "runner");
  hashTree(hash, recipe);
  hash.update(resolveImage("base").reference).update(process.version).update(readFileSync(repoPath("package-lock.json")));
  hash.update(readFileSync(options.engineBinary));
  for (const part of packageParts) hashTree(hash, repoPath(part));
  const reference = `${runnerImageName}:${hash.digest("hex").slice(0, 16)}`;
  if (await imageExists(reference)) {
    await exec("docker", ["tag", reference, runnerImageLatest]);
    return { reference, built: false, ms: Date.now() - started };
  }
  options.log(`image runner: building ${reference}`);
  const context = mkdtempSync(join(tmpdir(), "bulwark-image-runner-"));
  try {
    for (const entry of readdirSync(recipe)) copyFileSync(join(recipe, entry), join(context, entry));
    copyFileSync(process.execPath, join(context, "node"));
    copyFileSync(options.engineBinary, join(context, "bulwark-engine"));
    for (const part of [...packageParts, ...modules]) {
      mkdirSync(join(context, "bulwark", part, ".."), { recursive: true });
      cpSync(repoPath(part), join(context, "bulwark", part), { recursive: true, dereference: true });
    }
    const result = await exec(
      "docker",
      ["build", "--force-rm", "--tag", reference, "--tag", runnerImageLatest, "--label", `${labels.managed}=true`, "--label", `${labels.image}=runner`, "--build-arg", `BASE_IMAGE=${resolveImage("base").reference}`, context],
      { env: { ...process.env, DOCKER_BUILDKIT: "0" } },
    );
    if (result.code !== 0) {
      const output = (result.stdout + result.stderr).replace(/\r/g, "");
      throw new ToolingError(`image runner: build failed at ${failingStep(output)}\n${tail(output, 12)}`);
    }
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  // Earlier builds only take disk space (one still used by a container stays).
  const listed = await exec("docker", ["image", "ls", "--filter", `label=${labels.image}=runner`, "--format", "{{.Repository}}:{{.Tag}}"]);
  for (const older of listed.stdout.split("\n").filter((tag) => tag.startsWith(`${runnerImageName}:`) && tag !== reference && tag !== runnerImageLatest)) await exec("docker", ["image", "rm", older]);
  const ms = Date.now() - started;
  options.log(`image runner: built in ${formatDuration(ms)}`);
  return { reference, built: true, ms };
}
