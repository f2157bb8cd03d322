import { exec } from "../../../scripts/core/exec.ts";
import { ToolingError } from "../../../scripts/core/errors.ts";
import { findPostgresBinDir, postgresSearchDescription, wantedPostgresMajor } from "../../../scripts/core/postgres-binaries.ts";

export interface PostgresBinaries {
  binDir: string;
  /** Set when running as root: PostgreSQL refuses to run as root, so its processes run as this user. */
  runAs?: { uid: number; gid: number; name: string };
}

/**
 * PostgreSQL server binaries for the process runner. A drill never installs them: when they are missing
 * it is exit 3 naming `bulwark setup --postgres`, which installs Debian's postgresql-15.
 */
export async function ensurePostgresBinaries(_log?: (line: string) => void): Promise<PostgresBinaries> {
  const binDir = findPostgresBinDir();
  if (!binDir) {
    throw new ToolingError(
      `PostgreSQL ${wantedPostgresMajor} server binaries not found (looked in ${postgresSearchDescription}): run 'bulwark setup --postgres' to install them, or use the container runner`,
    );
  }
  if (process.getuid?.() !== 0) return { binDir };
  const uid = await exec("id", ["-u", "postgres"]);
  const gid = await exec("id", ["-g", "postgres"]);
  if (uid.code !== 0 || gid.code !== 0) throw new ToolingError("running as root and no 'postgres' user exists to run PostgreSQL as: run 'bulwark setup --postgres' (Debian's postgresql-15 creates it)");
  return { binDir, runAs: { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()), name: "postgres" } };
}
