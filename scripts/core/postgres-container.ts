import type { StartedTestContainer, WaitStrategy } from "testcontainers";

// The contract between drills that need "a PostgreSQL container I can start" and the local estate that
// starts one (scripts/local/containers/postgres.ts): kinds never import the estate.

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

/** What the estate hands a drill: the image, readiness of the engine, and containers to start. */
export interface PostgresContainers {
  /** The image reference, for the plan and the evidence. */
  imageReference(): string;
  /** Makes sure the container engine runs and the image exists (exit 3 naming `bulwark setup` when not). */
  ready(log: (line: string) => void): Promise<void>;
  start(options: PostgresOptions): Promise<StartedPostgres>;
}
