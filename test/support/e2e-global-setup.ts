import { execFileSync } from "node:child_process";
import { ensureK6 } from "../../scripts/k6/ensure-k6.ts";
import { repoPath } from "../../scripts/lib/repo-root.ts";

/** Builds the CLI bundle the tests run, and k6 at its pinned version (from the cache when there). */
export default async function setup(): Promise<void> {
  execFileSync(process.execPath, [repoPath("scripts", "build.mjs")], { stdio: "inherit" });
  const k6 = await ensureK6((line) => process.stderr.write(line + "\n"));
  process.stderr.write(`e2e: using k6 ${k6.version} (${k6.source})\n`);
}
