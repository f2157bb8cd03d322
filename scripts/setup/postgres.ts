import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { ToolingError } from "../core/errors.ts";
import { findPostgresBinDir, wantedPostgresMajor } from "../core/postgres-binaries.ts";
import { aptInstall } from "./apt-install.ts";

/**
 * `bulwark setup --postgres`: Debian's postgresql-15 server binaries for the drills' process runner.
 * Nothing is done when they are already there. The package's default cluster is not created.
 */
export async function installPostgresBinaries(log: (line: string) => void): Promise<{ binDir: string; installed: boolean }> {
  const found = findPostgresBinDir();
  if (found) return { binDir: found, installed: false };
  log(`setup: installing Debian's postgresql-${wantedPostgresMajor} (server binaries for the drills' process runner)`);
  if (process.getuid?.() === 0) {
    mkdirSync("/etc/postgresql-common", { recursive: true });
    if (!existsSync("/etc/postgresql-common/createcluster.conf")) writeFileSync("/etc/postgresql-common/createcluster.conf", "create_main_cluster = false\n");
  }
  await aptInstall("setup --postgres", [`postgresql-${wantedPostgresMajor}`]);
  const binDir = findPostgresBinDir();
  if (!binDir) throw new ToolingError(`setup --postgres: postgresql-${wantedPostgresMajor} installed but its binaries were not found`);
  return { binDir, installed: true };
}
