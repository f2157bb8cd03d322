/** Median of a non-empty list; null for an empty one (a measurement that produced nothing). */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function ratio(numerator: number | null, denominator: number | null): number | null {
  return numerator === null || denominator === null || denominator === 0 ? null : numerator / denominator;
}

export function round(value: number | null, digits = 2): number | null {
  if (value === null) return null;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** One measured run of a load generator. */
export interface GeneratorSample {
  ratePerSecond: number;
  requests: number;
  /** Requests that failed or did not answer 2xx. */
  errors: number;
  /** user + system CPU time of the generator process (exact, from wait4). */
  cpuSeconds: number;
  maxRssKb: number;
}

/** Median CPU time per request, in microseconds. */
export const cpuPerRequestUs = (samples: readonly GeneratorSample[]): number | null =>
  median(samples.flatMap((s) => (s.requests > 0 ? [(1e6 * s.cpuSeconds) / s.requests] : [])));

/** Median CPU seconds per 1000 requests. */
export const cpuPer1000 = (samples: readonly GeneratorSample[]): number | null =>
  median(samples.flatMap((s) => (s.requests > 0 ? [(1000 * s.cpuSeconds) / s.requests] : [])));
