// What container tests share: a started PostgreSQL (from bulwark's image) and a SQL client, both
// disposed with `await using`, plus a check that a container is really gone.
import pg from "pg";
import { exec } from "../../scripts/core/exec.ts";
import { startPostgres, type PostgresOptions, type StartedPostgres } from "../../scripts/local/containers/index.ts";

export { startPostgres, type StartedPostgres };

/**
 * @example
 *   await using postgres = await postgresForTest();
 *   await using sql = await connect(postgres);
 *   await sql.query("select 1");
 */
export function postgresForTest(options: PostgresOptions = {}): Promise<StartedPostgres> {
  return startPostgres(options);
}

export type DisposableClient = pg.Client & AsyncDisposable;

export async function connect(postgres: StartedPostgres): Promise<DisposableClient> {
  const client = new pg.Client({ connectionString: postgres.connectionString, connectionTimeoutMillis: 10_000 });
  // A test may kill the server under an open connection (a drill's disaster): the client then reports
  // "Connection terminated" as an event, which must not become an unhandled error.
  client.on("error", () => {});
  await client.connect();
  return Object.assign(client, { [Symbol.asyncDispose]: () => client.end() });
}

/** True when `docker ps -a` still lists the container (running or stopped). */
export async function containerExists(id: string): Promise<boolean> {
  const result = await exec("docker", ["ps", "--all", "--quiet", "--no-trunc", "--filter", `id=${id}`]);
  return result.stdout.trim().length > 0;
}
