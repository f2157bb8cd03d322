import { execFileSync } from "node:child_process";
import { ensurePostgresBinaries } from "../../chaos/drills/kinds/postgres-binaries.ts";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { up } from "../../scripts/local/containers/index.ts";

/**
 * Builds the CLI bundle the drill tests run; brings up the container estate with its PostgreSQL image
 * (the shipped postgres-pitr drill runs there); makes sure PostgreSQL 15 server binaries are installed
 * for the drills that run PostgreSQL as local processes.
 */
export default async function setup(): Promise<void> {
  execFileSync(process.execPath, [repoPath("scripts", "build.mjs")], { stdio: "inherit" });
  await up({ log: (line) => process.stderr.write(`[drills setup] ${line}\n`), images: ["postgres"] });
  const binaries = await ensurePostgresBinaries((line) => process.stderr.write(`[drills setup] ${line}\n`));
  process.stderr.write(`[drills setup] PostgreSQL binaries in ${binaries.binDir}${binaries.runAs ? ` (run as ${binaries.runAs.name})` : ""}\n`);
}
