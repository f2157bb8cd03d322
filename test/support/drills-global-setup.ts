import { execFileSync } from "node:child_process";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { up } from "../../scripts/local/containers/index.ts";
import { installPostgresBinaries } from "../../scripts/setup/postgres.ts";

/**
 * Builds the CLI bundle the drill tests run, and provides what `bulwark setup --postgres --containers`
 * provides (npm test has already run it; this covers running the project on its own): the container
 * estate with its PostgreSQL image (the shipped postgres-pitr drill runs there) and PostgreSQL 15 server
 * binaries for the drills that run PostgreSQL as local processes. Drills themselves install nothing.
 */
export default async function setup(): Promise<void> {
  const log = (line: string) => process.stderr.write(`[drills setup] ${line}\n`);
  execFileSync(process.execPath, [repoPath("scripts", "build.mjs")], { stdio: "inherit" });
  await up({ log, images: ["postgres"] });
  const { binDir } = await installPostgresBinaries(log);
  log(`PostgreSQL binaries in ${binDir}`);
}
