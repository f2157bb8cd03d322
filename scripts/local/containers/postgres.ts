import { chmodSync, mkdirSync } from "node:fs";
import { Wait } from "testcontainers";
import { ToolingError } from "../../core/errors.ts";
import { engineInfo, findExecutable } from "./engine.ts";
import { imageExists, resolveImage } from "./images.ts";
import { LoopbackContainer } from "./testcontainers.ts";

import { postgresPaths, type PostgresContainers, type PostgresOptions, type StartedPostgres } from "../../core/postgres-container.ts";

export { postgresPaths, type PostgresOptions, type StartedPostgres };

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

/**
 * PostgreSQL containers for drills: the estate's side of scripts/core/postgres-container.ts. A drill is a
 * user command, so it neither installs nor starts the engine nor builds the image: it checks that they
 * are there and otherwise names `bulwark setup --containers` (exit 3).
 */
export const postgresContainers: PostgresContainers = {
  imageReference: () => resolveImage("postgres").reference,
  async ready(log) {
    const setup = "run 'bulwark setup --containers' (installs and starts Docker's engine and builds the images)";
    const info = await engineInfo();
    if (!info) {
      const where = process.env.DOCKER_HOST ? ` at DOCKER_HOST=${process.env.DOCKER_HOST}` : "";
      throw new ToolingError(`container engine: no Docker engine answers${where}${findExecutable("docker") ? "" : " (no docker CLI on PATH)"}: ${setup}`);
    }
    const image = resolveImage("postgres");
    if (!image.overridden && !(await imageExists(image.reference))) {
      throw new ToolingError(`container engine: the PostgreSQL image ${image.reference} is not built: ${setup}`);
    }
    log(`container engine: Docker ${info.serverVersion}; image ${image.reference}`);
  },
  start: (options) => startPostgres(options),
};
