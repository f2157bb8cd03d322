import { execFileSync } from "node:child_process";
import { ensureEngine } from "../../scripts/kinds/load/engine-binary.ts";
import { repoPath } from "../../scripts/core/repo-root.ts";

/** Builds the CLI bundle the tests run, and the load engine (from the user cache when it is there). */
export default async function setup(): Promise<void> {
  execFileSync(process.execPath, [repoPath("scripts", "build.mjs")], { stdio: "inherit" });
  const engine = await ensureEngine((line) => process.stderr.write(line + "\n"));
  process.stderr.write(`e2e: using ${engine.version} (${engine.source})\n`);
}
