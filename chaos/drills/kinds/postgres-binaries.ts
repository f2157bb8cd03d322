import { existsSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { exec } from "../../../scripts/core/exec.ts";
import { aptInstall } from "../../../scripts/setup/apt-install.ts";
import { ToolingError } from "../../../scripts/core/errors.ts";

export interface PostgresBinaries {
  binDir: string;
  /** Set when running as root: PostgreSQL refuses to run as root, so its processes run as this user. */
  runAs?: { uid: number; gid: number; name: string };
}

const wantedMajor = "15";

function findBinDir(): string | null {
  const fromEnv = process.env.BULWARK_PG_BINDIR;
  if (fromEnv) return existsSync(join(fromEnv, "postgres")) ? fromEnv : null;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const majors = readdirSync(root).filter((name) => existsSync(join(root, name, "bin", "postgres")) && existsSync(join(root, name, "bin", "pg_basebackup")));
  const chosen = majors.includes(wantedMajor) ? wantedMajor : majors.sort((a, b) => Number(b) - Number(a))[0];
  return chosen ? join(root, chosen, "bin") : null;
}

/**
 * PostgreSQL server binaries for the process runner: Debian's postgresql-15, installed with apt-get when
 * missing and bulwark runs as root (a fresh CI machine). The package's default cluster is not created.
 */
export async function ensurePostgresBinaries(log: (line: string) => void): Promise<PostgresBinaries> {
  let binDir = findBinDir();
  const isRoot = process.getuid?.() === 0;
  if (!binDir) {
    if (!isRoot || !existsSync("/usr/bin/apt-get")) {
      throw new ToolingError("PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin and $BULWARK_PG_BINDIR); install postgresql-15 or use the container runner");
    }
    log("drill: installing Debian's postgresql-15 (server binaries for the process runner)");
    mkdirSync("/etc/postgresql-common", { recursive: true });
    if (!existsSync("/etc/postgresql-common/createcluster.conf")) writeFileSync("/etc/postgresql-common/createcluster.conf", "create_main_cluster = false\n");
    await aptInstall("drill", [`postgresql-${wantedMajor}`]);
    binDir = findBinDir();
    if (!binDir) throw new ToolingError(`postgresql-${wantedMajor} installed but its binaries were not found`);
  }
  if (!isRoot) return { binDir };
  const uid = await exec("id", ["-u", "postgres"]);
  const gid = await exec("id", ["-g", "postgres"]);
  if (uid.code !== 0 || gid.code !== 0) throw new ToolingError("running as root and no 'postgres' user exists to run PostgreSQL as");
  return { binDir, runAs: { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()), name: "postgres" } };
}
