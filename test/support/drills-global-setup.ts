import { execFileSync } from "node:child_process";
import { ensurePostgresBinaries } from "../../chaos/drills/kinds/postgres-binaries.ts";
import { repoPath } from "../../scripts/lib/repo-root.ts";

/** Builds the CLI bundle the drill tests run and makes sure PostgreSQL 15 server binaries are installed. */
export default async function setup(): Promise<void> {
  execFileSync(process.execPath, [repoPath("scripts", "build.mjs")], { stdio: "inherit" });
  const binaries = await ensurePostgresBinaries((line) => process.stderr.write(line + "\n"));
  process.stderr.write(`drills: PostgreSQL binaries in ${binaries.binDir}${binaries.runAs ? ` (run as ${binaries.runAs.name})` : ""}\n`);
}
