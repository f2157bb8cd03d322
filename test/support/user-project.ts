import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inject } from "vitest";
import { repoPath } from "../../scripts/core/repo-root.ts";

/** typescript and @types/k6 at the versions `bulwark init` adds (bulwark's own dev dependencies). */
export function installPinned(): string[] {
  const own = JSON.parse(readFileSync(repoPath("package.json"), "utf8")) as { devDependencies: Record<string, string> };
  return ["typescript", "@types/k6"].map((name) => `${name}@${own.devDependencies[name]}`);
}

export interface ShellResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a shell command line in `cwd` as a user would type it (bash, the user's PATH), with the setup's
 * private engine copy as BULWARK_ENGINE unless `env` says otherwise ("" for none: the user cache's).
 */
export function sh(command: string, cwd: string, env: NodeJS.ProcessEnv = {}): Promise<ShellResult> {
  const child = spawn("bash", ["-c", command], { cwd, env: { ...process.env, NO_COLOR: "1", BULWARK_ENGINE: inject("bulwarkEngine"), ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * A fresh user repository next to the shared install: its own folder (the project root) with the
 * install's package.json and lock file, and node_modules linked to the install's.
 */
export function newUserProject(workspace: string, name: string): string {
  const folder = mkdtempSync(join(workspace, `${name}-`));
  for (const file of ["package.json", "package-lock.json"]) copyFileSync(join(workspace, "install", file), join(folder, file));
  symlinkSync(join(workspace, "install", "node_modules"), join(folder, "node_modules"), "dir");
  return folder;
}

export function readJson<T = Record<string, any>>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, JSON.stringify(value, null, 2) + "\n");
}
