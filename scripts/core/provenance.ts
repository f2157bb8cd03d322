import { readFileSync } from "node:fs";
import { exec } from "./exec.ts";
import { repoPath, repoRoot } from "./repo-root.ts";

export const toolVersion: string = (JSON.parse(readFileSync(repoPath("package.json"), "utf8")) as { version: string }).version;

/** The commit of the checkout bulwark runs from (CI sets GITHUB_SHA-like variables too), or null. */
export async function gitCommit(): Promise<string | null> {
  const fromCi = process.env.GITHUB_SHA ?? process.env.CI_COMMIT_SHA;
  if (fromCi) return fromCi;
  const result = await exec("git", ["rev-parse", "HEAD"], { cwd: repoRoot }).catch(() => null);
  return result?.code === 0 ? result.stdout.trim() : null;
}
