import type { SampleSink } from "./k6-json-lines.ts";
import { LogHistogram } from "./log-histogram.ts";
import { timeSeriesSchemaVersion, type Series, type TimeSeries } from "./timeseries-schema.ts";

/** The k6 metrics the time series is built from; every other metric is counted and skipped. */
export const collectedMetrics = new Set(["http_req_duration", "http_reqs", "http_req_failed", "vus", "dropped_iterations"]);

const percentiles = [0.5, 0.9, 0.95, 0.99] as const;

class OpenCell {
  requests = 0;
  failures = 0;
  histogram: LogHistogram | null = null;
}

interface OpenSecond {
  second: number;
  overall: OpenCell;
  endpoints: Map<string, OpenCell>;
  vus: number | null;
  droppedIterations: number;
}

/**
 * The closed seconds of one series, one array per number, indexed by second since the first closed
 * one. Arrays of plain doubles (NaN for "no value") cost 8 bytes a number: a day-long soak with eight
 * endpoints keeps about 40 MB, a one-hour soak under 2 MB.
 */
class ClosedColumns {
  readonly requests: number[] = [];
  readonly failures: number[] = [];
  readonly p50: number[] = [];
  readonly p90: number[] = [];
  readonly p95: number[] = [];
  readonly p99: number[] = [];
  readonly max: number[] = [];

  /** Fills seconds without data up to (not including) `length`. */
  padTo(length: number): void {
    while (this.requests.length < length) {
      this.requests.push(0);
      this.failures.push(0);
      this.p50.push(Number.NaN);
      this.p90.push(Number.NaN);
      this.p95.push(Number.NaN);
      this.p99.push(Number.NaN);
      this.max.push(Number.NaN);
    }
  }

  toSeries(length: number): Series {
    this.padTo(length);
    return {
      requests: [...this.requests],
      failures: [...this.failures],
      latencyMs: { p50: gapsAsNull(this.p50), p90: gapsAsNull(this.p90), p95: gapsAsNull(this.p95), p99: gapsAsNull(this.p99), max: gapsAsNull(this.max) },
    };
  }
}

export interface AggregatorOptions {
  /**
   * How long a second stays open for samples that arrive out of order. k6 writes its output in batches,
   * so timestamps run a little behind each other; after this many newer seconds a second is closed and
   * its histograms go back to the pool.
   */
  latenessSeconds?: number;
}

/**
 * Folds k6 samples into per-second, per-endpoint buckets. Memory is bounded by the lateness window
 * (a few pooled histograms) plus seven numbers per endpoint and closed second, whatever the number
 * of samples.
 */
export class PerSecondAggregator implements SampleSink {
  private readonly latenessSeconds: number;
  private readonly open = new Map<number, OpenSecond>();
  private readonly histogramPool: LogHistogram[] = [];
  private newestSecond = Number.NEGATIVE_INFINITY;
  private lastOpen: OpenSecond | null = null;
  /** Unix second of index 0 of the closed columns; null until a second closes. */
  private firstClosed: number | null = null;
  private closedCount = 0;
  private readonly overall = new ClosedColumns();
  private readonly endpoints = new Map<string, ClosedColumns>();
  private readonly vus: number[] = [];
  private readonly droppedIterations: number[] = [];
  processed = 0;
  malformed = 0;
  late = 0;

  constructor(options: AggregatorOptions = {}) {
    this.latenessSeconds = options.latenessSeconds ?? 5;
  }

  /** One k6 Point. `second` is the Unix second of its timestamp; `endpoint` its endpoint tag, if any. */
  add(metric: string, second: number, value: number, endpoint: string | null): void {
    this.processed += 1;
    if (!collectedMetrics.has(metric)) return;
    const target = this.secondFor(second);
    if (target === null) {
      this.addLate(metric, second, value, endpoint);
      return;
    }
    switch (metric) {
      case "http_req_duration": {
        this.record(target.overall, value);
        this.record(this.cell(target, endpoint), value);
        return;
      }
      case "http_reqs":
        target.overall.requests += value;
        this.cell(target, endpoint).requests += value;
        return;
      case "http_req_failed":
        target.overall.failures += value;
        this.cell(target, endpoint).failures += value;
        return;
      case "vus":
        target.vus = target.vus === null ? value : Math.max(target.vus, value);
        return;
      case "dropped_iterations":
        target.droppedIterations += value;
        return;
    }
  }

  /** A Point of a metric the time series does not use. */
  skip(): void {
    this.processed += 1;
  }

  countMalformed(): void {
    this.malformed += 1;
  }

  /** Closes every second and lays the result out on one time axis, with gaps where nothing happened. */
  finish(): TimeSeries {
    for (const second of [...this.open.keys()].sort((a, b) => a - b)) this.close(second);
    const length = this.closedCount;
    const time: number[] = [];
    for (let index = 0; index < length; index++) time.push(this.firstClosed! + index);
    const overall = this.overall.toSeries(length);
    const endpoints = [...this.endpoints.keys()].sort().map((name) => ({ name, ...this.endpoints.get(name)!.toSeries(length) }));
    return {
      schemaVersion: timeSeriesSchemaVersion,
      intervalSeconds: 1,
      time,
      overall: { ...overall, vus: gapsAsNull(this.vus), droppedIterations: [...this.droppedIterations] },
      endpoints,
      samples: { processed: this.processed, malformed: this.malformed, late: this.late },
    };
  }

  private secondFor(second: number): OpenSecond | null {
    if (this.lastOpen?.second === second) return this.lastOpen;
    let found = this.open.get(second);
    if (!found) {
      if (second <= this.newestSecond - this.latenessSeconds || (this.firstClosed !== null && second < this.firstClosed + this.closedCount)) return null;
      found = { second, overall: new OpenCell(), endpoints: new Map(), vus: null, droppedIterations: 0 };
      this.open.set(second, found);
      if (second > this.newestSecond) {
        this.newestSecond = second;
        const due = [...this.open.keys()].filter((openSecond) => openSecond <= second - this.latenessSeconds).sort((a, b) => a - b);
        for (const openSecond of due) this.close(openSecond);
      }
    }
    this.lastOpen = found;
    return found;
  }

  private cell(target: OpenSecond, endpoint: string | null): OpenCell {
    const name = endpoint ?? "untagged";
    let found = target.endpoints.get(name);
    if (!found) {
      found = new OpenCell();
      target.endpoints.set(name, found);
    }
    return found;
  }

  private record(cell: OpenCell, value: number): void {
    if (!cell.histogram) cell.histogram = this.histogramPool.pop() ?? new LogHistogram();
    cell.histogram.record(value);
  }

  private columnsOf(name: string): ClosedColumns {
    let columns = this.endpoints.get(name);
    if (!columns) {
      columns = new ClosedColumns();
      this.endpoints.set(name, columns);
    }
    return columns;
  }

  /** A sample for a second already closed: counts still add up; latency cannot join closed percentiles. */
  private addLate(metric: string, second: number, value: number, endpoint: string | null): void {
    const index = this.firstClosed === null ? -1 : second - this.firstClosed;
    if (metric === "http_req_duration" || index < 0 || index >= this.closedCount) {
      this.late += 1;
      return;
    }
    if (metric === "http_reqs" || metric === "http_req_failed") {
      const columns = this.columnsOf(endpoint ?? "untagged");
      columns.padTo(this.closedCount);
      const field = metric === "http_reqs" ? "requests" : "failures";
      this.overall[field][index]! += value;
      columns[field][index]! += value;
    } else if (metric === "vus") {
      const current = this.vus[index]!;
      this.vus[index] = Number.isNaN(current) ? value : Math.max(current, value);
    } else if (metric === "dropped_iterations") {
      this.droppedIterations[index]! += value;
    }
  }

  /** Seconds close in ascending order: each one is appended to the columns, gaps filled before it. */
  private close(second: number): void {
    const target = this.open.get(second);
    if (!target) return;
    this.open.delete(second);
    if (this.lastOpen === target) this.lastOpen = null;
    this.firstClosed ??= second;
    const index = second - this.firstClosed;
    while (this.vus.length < index) {
      this.vus.push(Number.NaN);
      this.droppedIterations.push(0);
    }
    this.vus.push(target.vus ?? Number.NaN);
    this.droppedIterations.push(target.droppedIterations);
    this.closeCell(target.overall, this.overall, index);
    for (const [name, cell] of target.endpoints) this.closeCell(cell, this.columnsOf(name), index);
    this.closedCount = index + 1;
  }

  private closeCell(cell: OpenCell, columns: ClosedColumns, index: number): void {
    columns.padTo(index);
    columns.requests.push(cell.requests);
    columns.failures.push(cell.failures);
    const histogram = cell.histogram;
    if (!histogram || histogram.count === 0) {
      columns.p50.push(Number.NaN);
      columns.p90.push(Number.NaN);
      columns.p95.push(Number.NaN);
      columns.p99.push(Number.NaN);
      columns.max.push(Number.NaN);
      return;
    }
    const [p50, p90, p95, p99] = histogram.quantiles(percentiles) as [number, number, number, number];
    columns.p50.push(round(p50));
    columns.p90.push(round(p90));
    columns.p95.push(round(p95));
    columns.p99.push(round(p99));
    columns.max.push(round(histogram.max));
    histogram.reset();
    this.histogramPool.push(histogram);
    cell.histogram = null;
  }
}

function gapsAsNull(values: readonly number[]): (number | null)[] {
  return values.map((value) => (Number.isNaN(value) ? null : value));
}

/** Three decimals of a millisecond is below the histogram's own precision. */
function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
