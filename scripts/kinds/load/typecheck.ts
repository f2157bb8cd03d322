import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { cacheDir } from "../../core/cache-dir.ts";
import { UsageError } from "../../core/errors.ts";
import { exec } from "../../core/exec.ts";
import { repoPath, repoRoot } from "../../core/repo-root.ts";
import { writeFileAtomic } from "../../core/write-atomic.ts";

export interface TypeCheckRequest {
  /** The scenarios' tsconfig.json; its `include` names every file of the check. */
  project: string;
  /** Paths in messages are relative to this folder. */
  root: string;
  /** TypeScript's compiler; the check is skipped when it is not installed. */
  tsc: string;
  /** Where successful checks are remembered, by content hash. */
  cacheFolder: string;
}

export const repositoryTypeCheck = (): TypeCheckRequest => ({
  project: repoPath("scenarios", "tsconfig.json"),
  root: repoRoot,
  tsc: repoPath("node_modules", "typescript", "bin", "tsc"),
  cacheFolder: cacheDir("scenario-typecheck"),
});

function typeScriptFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The files the project's `include` names: globs as every .ts file below their fixed part, other entries as files. */
function projectFiles(project: string): string[] {
  const { include = [] } = JSON.parse(readFileSync(project, "utf8")) as { include?: string[] };
  const base = dirname(project);
  return include.flatMap((pattern) => {
    if (!pattern.includes("*")) return [resolve(base, pattern)];
    const fixed = pattern.slice(0, pattern.indexOf("*")).replace(/[^/]*$/, "");
    return typeScriptFiles(resolve(base, fixed));
  });
}

/** What the check's verdict depends on: the project, every file it includes, and the compiler's version. */
function contentHash(request: TypeCheckRequest): string {
  const hash = createHash("sha256");
  const version = existsSync(join(dirname(request.tsc), "..", "package.json")) ? readFileSync(join(dirname(request.tsc), "..", "package.json"), "utf8") : "";
  hash.update(version).update(readFileSync(request.project));
  for (const file of [...new Set(projectFiles(request.project))].sort()) {
    hash.update(file).update("\0").update(existsSync(file) ? readFileSync(file) : "(missing)").update("\0");
  }
  return hash.digest("hex");
}

/** `scenarios/smoke.ts(12,7): error TS2322: text` -> `scenarios/smoke.ts:12:7: TS2322 text`, relative to the root. */
function firstDiagnostic(output: string, cwd: string, root: string): string {
  const lines = output.split("\n").map((line) => line.trim()).filter(Boolean);
  const diagnostic = lines.map((line) => /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line)).find((match) => match !== null);
  if (!diagnostic) return lines.find((line) => /error/i.test(line)) ?? lines[0] ?? "the TypeScript compiler failed without a message";
  const [, file = "", line, column, code, text] = diagnostic;
  const count = lines.filter((candidate) => / error TS\d+: /.test(candidate)).length;
  return `${relative(root, resolve(cwd, file))}:${line}:${column}: ${code} ${text}${count > 1 ? ` (and ${count - 1} more)` : ""}`;
}

/**
 * Type-checks the scenarios with TypeScript when it is installed, so that a type error is exit 2
 * naming file:line before any load, not a run whose checks fail. Only a content change runs the
 * compiler: a successful check is remembered by the hash of everything it read.
 */
export async function typeCheckScenarios(request: TypeCheckRequest = repositoryTypeCheck()): Promise<"checked" | "cached" | "skipped"> {
  if (!existsSync(request.tsc) || !existsSync(request.project)) return "skipped";
  const marker = join(request.cacheFolder, `${contentHash(request)}.ok`);
  if (existsSync(marker)) return "cached";
  const cwd = dirname(request.project);
  const result = await exec(process.execPath, [request.tsc, "--noEmit", "--pretty", "false", "-p", request.project], { cwd });
  if (result.code !== 0) throw new UsageError(`scenario type check: ${firstDiagnostic(`${result.stdout}\n${result.stderr}`, cwd, request.root)}`);
  await mkdir(request.cacheFolder, { recursive: true });
  await writeFileAtomic(marker, `${new Date().toISOString()}\n`);
  return "checked";
}
