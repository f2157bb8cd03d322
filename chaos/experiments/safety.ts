// The hard safety limit: while a fault is in, the load's recent error rate above the limit removes
// every fault at once. Pure: the runner feeds it the load's live requests.
import type { RequestSamples } from "../../scripts/core/request-samples.ts";

export interface SafetyLimit {
  maxErrorRate: number;
  windowMs: number;
  minRequests: number;
}

export interface SafetyReading {
  requests: number;
  failures: number;
  rate: number | null;
  /** True when there are enough requests and their error rate is above the limit. */
  breached: boolean;
}

/** Error rate of the requests that ended in [max(sinceMs, nowMs - window), nowMs]. */
export function safetyReading(samples: RequestSamples, limit: SafetyLimit, sinceMs: number, nowMs: number): SafetyReading {
  const from = Math.max(sinceMs, nowMs - limit.windowMs);
  const column = samples.failures;
  let requests = 0;
  let failures = 0;
  for (let index = 0; index < column.count; index++) {
    const at = column.timeMs[index]!;
    if (at < from || at > nowMs) continue;
    requests += 1;
    if (column.value[index] !== 0) failures += 1;
  }
  const rate = requests === 0 ? null : failures / requests;
  return { requests, failures, rate, breached: rate !== null && requests >= limit.minRequests && rate > limit.maxErrorRate };
}
