import { LogHistogram } from "./log-histogram.ts";
import { timeSeriesSchemaVersion, type Series, type TimeSeries } from "./timeseries-schema.ts";

/** The k6 metrics the time series is built from; every other metric is counted and skipped. */
export const collectedMetrics = new Set(["http_req_duration", "http_reqs", "http_req_failed", "vus", "dropped_iterations"]);

const percentiles = [0.5, 0.9, 0.95, 0.99] as const;

/** Per-second numbers of one series once its second is closed: a handful of numbers, no samples. */
interface ClosedCell {
  requests: number;
  failures: number;
  latency: [p50: number, p90: number, p95: number, p99: number, max: number] | null;
}

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

interface ClosedSecond {
  overall: ClosedCell;
  endpoints: Map<string, ClosedCell>;
  vus: number | null;
  droppedIterations: number;
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
 * (a few pooled histograms) plus a few numbers per closed second, whatever the number of samples.
 */
export class PerSecondAggregator {
  private readonly latenessSeconds: number;
  private readonly open = new Map<number, OpenSecond>();
  private readonly closed = new Map<number, ClosedSecond>();
  private readonly histogramPool: LogHistogram[] = [];
  private readonly endpointNames = new Set<string>();
  private newestSecond = Number.NEGATIVE_INFINITY;
  private lastOpen: OpenSecond | null = null;
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
    for (const second of [...this.open.keys()]) this.close(second);
    const seconds = [...this.closed.keys()].sort((a, b) => a - b);
    const first = seconds[0];
    const last = seconds[seconds.length - 1];
    const time: number[] = [];
    if (first !== undefined && last !== undefined) for (let second = first; second <= last; second++) time.push(second);

    const names = [...this.endpointNames].sort();
    const overall = emptySeries();
    const vus: (number | null)[] = [];
    const droppedIterations: number[] = [];
    const endpoints = names.map((name) => ({ name, ...emptySeries() }));
    for (const second of time) {
      const row = this.closed.get(second);
      appendCell(overall, row?.overall);
      vus.push(row?.vus ?? null);
      droppedIterations.push(row?.droppedIterations ?? 0);
      endpoints.forEach((series) => appendCell(series, row?.endpoints.get(series.name)));
    }
    return {
      schemaVersion: timeSeriesSchemaVersion,
      intervalSeconds: 1,
      time,
      overall: { ...overall, vus, droppedIterations },
      endpoints,
      samples: { processed: this.processed, malformed: this.malformed, late: this.late },
    };
  }

  private secondFor(second: number): OpenSecond | null {
    if (this.lastOpen?.second === second) return this.lastOpen;
    let found = this.open.get(second);
    if (!found) {
      if (second <= this.newestSecond - this.latenessSeconds || this.closed.has(second)) return null;
      found = { second, overall: new OpenCell(), endpoints: new Map(), vus: null, droppedIterations: 0 };
      this.open.set(second, found);
      if (second > this.newestSecond) {
        this.newestSecond = second;
        for (const openSecond of [...this.open.keys()]) if (openSecond <= second - this.latenessSeconds) this.close(openSecond);
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
      this.endpointNames.add(name);
    }
    return found;
  }

  private record(cell: OpenCell, value: number): void {
    if (!cell.histogram) cell.histogram = this.histogramPool.pop() ?? new LogHistogram();
    cell.histogram.record(value);
  }

  /** A sample for a second already closed: counts still add up; latency cannot join closed percentiles. */
  private addLate(metric: string, second: number, value: number, endpoint: string | null): void {
    const row = this.closed.get(second);
    if (metric === "http_req_duration" || !row) {
      this.late += 1;
      return;
    }
    const name = endpoint ?? "untagged";
    let endpointCell = row.endpoints.get(name);
    if (!endpointCell) {
      endpointCell = { requests: 0, failures: 0, latency: null };
      row.endpoints.set(name, endpointCell);
      this.endpointNames.add(name);
    }
    if (metric === "http_reqs") {
      row.overall.requests += value;
      endpointCell.requests += value;
    } else if (metric === "http_req_failed") {
      row.overall.failures += value;
      endpointCell.failures += value;
    } else if (metric === "vus") {
      row.vus = row.vus === null ? value : Math.max(row.vus, value);
    } else if (metric === "dropped_iterations") {
      row.droppedIterations += value;
    }
  }

  private close(second: number): void {
    const target = this.open.get(second);
    if (!target) return;
    this.open.delete(second);
    if (this.lastOpen === target) this.lastOpen = null;
    const endpoints = new Map<string, ClosedCell>();
    for (const [name, cell] of target.endpoints) endpoints.set(name, this.closeCell(cell));
    this.closed.set(second, { overall: this.closeCell(target.overall), endpoints, vus: target.vus, droppedIterations: target.droppedIterations });
  }

  private closeCell(cell: OpenCell): ClosedCell {
    const histogram = cell.histogram;
    if (!histogram || histogram.count === 0) return { requests: cell.requests, failures: cell.failures, latency: null };
    const [p50, p90, p95, p99] = histogram.quantiles(percentiles) as [number, number, number, number];
    const latency: ClosedCell["latency"] = [round(p50), round(p90), round(p95), round(p99), round(histogram.max)];
    histogram.reset();
    this.histogramPool.push(histogram);
    cell.histogram = null;
    return { requests: cell.requests, failures: cell.failures, latency };
  }
}

function emptySeries(): Series {
  return { requests: [], failures: [], latencyMs: { p50: [], p90: [], p95: [], p99: [], max: [] } };
}

function appendCell(series: Series, cell: ClosedCell | undefined): void {
  series.requests.push(cell?.requests ?? 0);
  series.failures.push(cell?.failures ?? 0);
  const latency = cell?.latency ?? null;
  series.latencyMs.p50.push(latency?.[0] ?? null);
  series.latencyMs.p90.push(latency?.[1] ?? null);
  series.latencyMs.p95.push(latency?.[2] ?? null);
  series.latencyMs.p99.push(latency?.[3] ?? null);
  series.latencyMs.max.push(latency?.[4] ?? null);
}

/** Three decimals of a millisecond is below the histogram's own precision. */
function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
