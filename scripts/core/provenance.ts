import { readFileSync } from "node:fs";
import { exec } from "./exec.ts";
import { repoPath, repoRoot } from "./repo-root.ts";

export const toolVersion: string = (JSON.parse(readFileSync(repoPath("package.json"), "utf8")) as { version: string }).version;

/**
 * Where CI services put the commit under test: GitHub Actions, GitLab, Buildkite, CircleCI, Jenkins,
 * Azure Pipelines, Travis. A CI checkout may be detached or shallow, so these win over `git rev-parse`.
 */
export const ciCommitVariables = ["GITHUB_SHA", "CI_COMMIT_SHA", "BUILDKITE_COMMIT", "CIRCLE_SHA1", "GIT_COMMIT", "BUILD_SOURCEVERSION", "TRAVIS_COMMIT"] as const;

/** The commit bulwark runs from: the CI's commit variable if one is set, else the checkout's HEAD, else null. */
export async function gitCommit(env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  for (const name of ciCommitVariables) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  const result = await exec("git", ["rev-parse", "HEAD"], { cwd: repoRoot }).catch(() => null);
  return result?.code === 0 ? result.stdout.trim() || null : null;
}
