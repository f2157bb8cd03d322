import type { Clock } from "../../scripts/core/clock.ts";
import type { WriteProbeConfig } from "./definition.ts";
import { Ledger } from "./ledger.ts";
import { ResilientSqlConnection, errorText, sleep, type SqlEndpoint } from "./sql.ts";

/**
 * Writes sequence-numbered rows at a fixed cadence, one at a time, and keeps a ledger of every attempt
 * and its acknowledgement time. The rows carry the run id so several drills can share a table.
 */
export class WriteProbe {
  readonly ledger = new Ledger();
  readonly #connection: ResilientSqlConnection;
  #nextSeq = 1;
  #loop: Promise<void> | null = null;
  #stop = new AbortController();
  #paused = false;
  #idle: (() => void) | null = null;
  #resume: (() => void) | null = null;
  /** Cuts the wait for the next tick short, so a pause takes effect right after the write in flight. */
  #wake = new AbortController();

  constructor(
    private readonly endpoint: SqlEndpoint,
    readonly config: WriteProbeConfig,
    private readonly runId: string,
    private readonly clock: Clock,
  ) {
    this.#connection = new ResilientSqlConnection(endpoint, config.timeoutMs);
  }

  async prepare(): Promise<void> {
    await this.#connection.query(`CREATE TABLE IF NOT EXISTS ${this.config.table} (run_id text NOT NULL, seq bigint NOT NULL, written_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (run_id, seq))`);
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Resolves once no write is in flight; until `resume()`, nothing is written. */
  pause(): Promise<void> {
    this.#paused = true;
    const idle = new Promise<void>((resolve) => {
      this.#idle = resolve;
      if (this.#loop === null) resolve();
    });
    this.#wake.abort();
    return idle;
  }

  resume(): void {
    this.#paused = false;
    this.#resume?.();
  }

  /** Stops after the write in flight; every entry of the ledger then has its final state. */
  async stop(): Promise<void> {
    this.#stop.abort();
    this.#resume?.();
    await this.#loop;
    await this.#connection.close();
  }

  /** Sequence numbers present in the data store for this run. */
  async survivors(endpoint: SqlEndpoint = this.endpoint): Promise<number[]> {
    const connection = new ResilientSqlConnection(endpoint, Math.max(this.config.timeoutMs, 10_000));
    try {
      const rows = await connection.query<{ seq: string }>(`SELECT seq FROM ${this.config.table} WHERE run_id = $1 ORDER BY seq`, [this.runId]);
      return rows.map((row) => Number(row.seq));
    } finally {
      await connection.close();
    }
  }

  async #run(): Promise<void> {
    let scheduleStart = this.clock.now();
    let tick = 0;
    while (!this.#stop.signal.aborted) {
      if (this.#paused) {
        this.#wake = new AbortController();
        this.#idle?.();
        await new Promise<void>((resolve) => (this.#resume = resolve));
        this.#resume = null;
        scheduleStart = this.clock.now();
        tick = 0;
        continue;
      }
      await this.#writeOnce();
      // Fixed cadence, not fixed gaps: a slow write skips the ticks it overran instead of drifting.
      const elapsed = this.clock.now() - scheduleStart;
      tick = Math.max(tick + 1, Math.ceil(elapsed / this.config.intervalMs));
      await sleep(scheduleStart + tick * this.config.intervalMs - this.clock.now(), AbortSignal.any([this.#stop.signal, this.#wake.signal]));
    }
    this.#idle?.();
  }

  async #writeOnce(): Promise<void> {
    const seq = this.#nextSeq++;
    const sentAt = this.clock.now();
    try {
      await this.#connection.query(`INSERT INTO ${this.config.table} (run_id, seq) VALUES ($1, $2)`, [this.runId, seq]);
      this.ledger.record({ seq, sentAt, ackedAt: this.clock.now() });
    } catch (error) {
      this.ledger.record({ seq, sentAt, error: errorText(error) });
    }
  }
}
