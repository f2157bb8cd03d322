import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { repoPath } from "../../scripts/core/repo-root.ts";

const run = promisify(execFile);

/** k6 strips TypeScript types without checking them, and esbuild does the same: tsc is the only check. */
describe("type check", () => {
  it.each([
    ["the Node code and tests", "tsconfig.json"],
    ["the k6 scenarios, against @types/k6", "scenarios/tsconfig.json"],
  ])("%s (%s) compile without errors", async (_, project) => {
    const result = await run(process.execPath, [repoPath("node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", repoPath(project)], { cwd: repoPath() }).catch(
      (error: { stdout?: string; code?: number }) => ({ stdout: error.stdout ?? String(error), failed: true }),
    );
    expect("failed" in result ? result.stdout : "").toBe("");
  }, 120_000);
});
