import pg from "pg";

/** Where the data store answers right now; null while it does not exist (between disaster and restore). */
export type SqlEndpoint = () => string | null;

/**
 * One connection that is re-opened after any failure. Drills break connections on purpose, and an idle
 * pg client that loses its server emits 'error', which would crash the process if nobody listened.
 */
export class ResilientSqlConnection {
  #client: pg.Client | null = null;
  #connectedTo: string | null = null;

  constructor(
    private readonly endpoint: SqlEndpoint,
    private readonly timeoutMs: number,
  ) {}

  async query<Row extends Record<string, unknown> = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<Row[]> {
    const target = this.endpoint();
    if (target === null) throw new Error("the data store does not exist right now");
    if (this.#client === null || this.#connectedTo !== target) {
      await this.close();
      const client = new pg.Client({ connectionString: target, connectionTimeoutMillis: this.timeoutMs, query_timeout: this.timeoutMs, application_name: "bulwark-drill" });
      client.on("error", () => {
        if (this.#client === client) this.#client = null;
      });
      try {
        await client.connect();
      } catch (error) {
        void client.end().catch(() => undefined);
        throw error;
      }
      this.#client = client;
      this.#connectedTo = target;
    }
    try {
      const result = await this.#client.query<Row>(text, values);
      return result.rows;
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    this.#connectedTo = null;
    if (client) await client.end().catch(() => undefined);
  }
}

/** Runs one statement on a short-lived connection. */
export async function queryOnce<Row extends Record<string, unknown> = Record<string, unknown>>(connectionString: string, text: string, values: unknown[] = [], timeoutMs = 10_000): Promise<Row[]> {
  const connection = new ResilientSqlConnection(() => connectionString, timeoutMs);
  try {
    return await connection.query<Row>(text, values);
  } finally {
    await connection.close();
  }
}

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Resolves after `ms` or when `signal` fires, whichever is first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
