import { chmodSync, mkdirSync } from "node:fs";
import { Wait, type StartedTestContainer, type WaitStrategy } from "testcontainers";
import { resolveImage } from "./images.ts";
import { LoopbackContainer } from "./testcontainers.ts";

/** Paths inside the container (the same for bulwark's image and the official one). */
export const postgresPaths = {
  data: "/var/lib/postgresql/data",
  archive: "/var/lib/postgresql/archive",
} as const;

export interface PostgresOptions {
  /**
   * Host folder for archived WAL, mounted at /var/lib/postgresql/archive. When set, WAL archiving is on
   * (wal_level=replica, archive_mode=on) with `archiveCommand`. Created if missing and opened to the
   * container's postgres user.
   */
  archiveDir?: string;
  /** archive_command; by default a copy into the archive folder that never overwrites a segment. */
  archiveCommand?: string;
  /**
   * Host folder mounted as the data directory ($PGDATA). Empty: a new cluster is initialised. Holding a
   * base backup (plus recovery.signal and a restore_command setting): the server recovers from it.
   * Unset: the data lives and dies with the container.
   */
  dataDir?: string;
  /** More server settings, passed as `-c name=value` (e.g. restore_command, archive_timeout). */
  settings?: Record<string, string>;
  user?: string;
  password?: string;
  database?: string;
  /** Readiness check; by default pg_isready over TCP inside the container. */
  waitStrategy?: WaitStrategy;
  startupTimeoutMs?: number;
}

export interface StartedPostgres extends AsyncDisposable {
  container: StartedTestContainer;
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** postgres://user:password@127.0.0.1:port/database (keep it out of logs: it holds the password). */
  connectionString: string;
  /** Stops and removes the container; `timeoutSeconds: 0` kills it at once (a crash, for drills). */
  stop(options?: { timeoutSeconds?: number }): Promise<void>;
}

export const defaultArchiveCommand = `test ! -f ${postgresPaths.archive}/%f && cp %p ${postgresPaths.archive}/%f`;

/**
 * Starts PostgreSQL 15 from `bulwark/postgres` (or $BULWARK_IMAGE_POSTGRES) on a port published on
 * 127.0.0.1. The container is removed by `stop()` or at the end of an `await using` block.
 *
 * @example
 *   await using pg = await startPostgres({ archiveDir: "/tmp/wal", settings: { archive_timeout: "1s" } });
 *   await pg.stop({ timeoutSeconds: 0 });               // the disaster
 *   await using restored = await startPostgres({ dataDir: baseBackupDir, archiveDir: "/tmp/wal",
 *     settings: { restore_command: `cp ${postgresPaths.archive}/%f %p` } });
 */
export async function startPostgres(options: PostgresOptions = {}): Promise<StartedPostgres> {
  const user = options.user ?? "bulwark";
  const password = options.password ?? "bulwark";
  const database = options.database ?? "bulwark";
  const settings: Record<string, string> = {};
  const binds: { source: string; target: string }[] = [];
  if (options.archiveDir) {
    mkdirSync(options.archiveDir, { recursive: true });
    // The server runs as the image's postgres user, whose uid the host does not know.
    chmodSync(options.archiveDir, 0o777);
    binds.push({ source: options.archiveDir, target: postgresPaths.archive });
    Object.assign(settings, { wal_level: "replica", archive_mode: "on", archive_command: options.archiveCommand ?? defaultArchiveCommand });
  }
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    binds.push({ source: options.dataDir, target: postgresPaths.data });
  }
  Object.assign(settings, options.settings);
  const command = ["postgres", ...Object.entries(settings).flatMap(([name, value]) => ["-c", `${name}=${value}`])];

  const started = await new LoopbackContainer(resolveImage("postgres").reference)
    .withEnvironment({ POSTGRES_USER: user, POSTGRES_PASSWORD: password, POSTGRES_DB: database, PGDATA: postgresPaths.data })
    .withCommand(command)
    .withBindMounts(binds)
    .withExposedPorts(5432)
    .withWaitStrategy(options.waitStrategy ?? Wait.forSuccessfulCommand(`pg_isready -h 127.0.0.1 -p 5432 -U ${user} -d ${database}`))
    .withStartupTimeout(options.startupTimeoutMs ?? 120_000)
    .start();

  const host = started.getHost();
  const port = started.getMappedPort(5432);
  let stopped = false;
  const stop = async (stopOptions: { timeoutSeconds?: number } = {}) => {
    if (stopped) return;
    stopped = true;
    await started.stop({ remove: true, removeVolumes: true, timeout: (stopOptions.timeoutSeconds ?? 10) * 1000 });
  };
  return {
    container: started,
    host,
    port,
    user,
    password,
    database,
    connectionString: `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(database)}`,
    stop,
    [Symbol.asyncDispose]: () => stop(),
  };
}
