import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

// Where PostgreSQL server binaries are on this machine: read by the drills' process runner (which only
// uses them), by `bulwark setup --postgres` (which installs them) and by `bulwark doctor` (which reports).

/** The major version drills are written for (Debian bookworm's postgresql-15). */
export const wantedPostgresMajor = "15";

/** $BULWARK_PG_BINDIR overrides the search: a folder holding `postgres`. */
export const postgresBinDirEnvVar = "BULWARK_PG_BINDIR";

export const postgresSearchDescription = `/usr/lib/postgresql/*/bin and $${postgresBinDirEnvVar}`;

/** The folder of the server binaries, preferring major 15; null when there are none. Never installs. */
export function findPostgresBinDir(): string | null {
  const fromEnv = process.env[postgresBinDirEnvVar];
  if (fromEnv) return existsSync(join(fromEnv, "postgres")) ? fromEnv : null;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const majors = readdirSync(root).filter((name) => existsSync(join(root, name, "bin", "postgres")) && existsSync(join(root, name, "bin", "pg_basebackup")));
  const chosen = majors.includes(wantedPostgresMajor) ? wantedPostgresMajor : majors.sort((a, b) => Number(b) - Number(a))[0];
  return chosen ? join(root, chosen, "bin") : null;
}
