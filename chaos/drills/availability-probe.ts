import type { Clock } from "../../scripts/core/clock.ts";
import { waitFor } from "../../scripts/core/wait-for.ts";
import type { AvailabilityProbeConfig } from "./definition.ts";
import type { ProbeSample } from "./recovery-metrics.ts";
import { ResilientSqlConnection, errorText, sleep, type SqlEndpoint } from "./sql.ts";

/** Checks the service at a fixed interval, the way a user would, and keeps every sample. */
export class AvailabilityProbe {
  readonly samples: ProbeSample[] = [];
  readonly #check: () => Promise<string | undefined>;
  readonly #sql: ResilientSqlConnection | null = null;
  #loop: Promise<void> | null = null;
  readonly #stop = new AbortController();

  constructor(
    readonly config: AvailabilityProbeConfig,
    sqlEndpoint: SqlEndpoint | null,
    private readonly clock: Clock,
  ) {
    if (config.kind === "http") {
      const { url, timeoutMs } = config;
      this.#check = async () => {
        const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        await response.arrayBuffer();
        if (response.status < 200 || response.status > 299) throw new Error(`HTTP ${response.status}`);
        return `HTTP ${response.status}`;
      };
    } else {
      if (!sqlEndpoint) throw new Error("a SQL availability probe needs a SQL data store");
      const sql = new ResilientSqlConnection(sqlEndpoint, config.timeoutMs);
      this.#sql = sql;
      const { query } = config;
      this.#check = async () => {
        const rows = await sql.query(query);
        const first = rows[0] ? Object.values(rows[0])[0] : undefined;
        if (first === false || first === null || first === undefined || first === 0 || first === "0") throw new Error(`query answered ${JSON.stringify(first ?? null)}`);
        return undefined;
      };
    }
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    await this.#sql?.close();
  }

  /** The first successful sample taken at or after `since`, waiting until `deadline` (epoch ms) at most; null if none came. */
  async firstSuccessSince(since: number, deadline: number, signal?: AbortSignal): Promise<ProbeSample | null> {
    const found = () => this.samples.find((sample) => sample.ok && sample.startedAt >= since);
    try {
      return await waitFor(found, {
        timeoutMs: Math.max(0, deadline - this.clock.now()),
        intervalMs: Math.min(50, this.config.intervalMs),
        signal: signal ? AbortSignal.any([signal, this.#stop.signal]) : this.#stop.signal,
        clock: this.clock,
        description: "a successful availability check",
      });
    } catch {
      // The deadline passed, the drill was interrupted or the probe stopped: the last look decides.
      return found() ?? null;
    }
  }

  async #run(): Promise<void> {
    const scheduleStart = this.clock.now();
    let tick = 0;
    while (!this.#stop.signal.aborted) {
      const startedAt = this.clock.now();
      try {
        const detail = await this.#check();
        const at = this.clock.now();
        this.samples.push({ startedAt, at, ok: true, latencyMs: at - startedAt, ...(detail ? { detail } : {}) });
      } catch (error) {
        const at = this.clock.now();
        this.samples.push({ startedAt, at, ok: false, latencyMs: at - startedAt, detail: errorText(error) });
      }
      tick = Math.max(tick + 1, Math.ceil((this.clock.now() - scheduleStart) / this.config.intervalMs));
      await sleep(scheduleStart + tick * this.config.intervalMs - this.clock.now(), this.#stop.signal);
    }
  }
}
