// The request rate the demo target actually serves, from its Prometheus counter
// demo_http_requests_total (every /api request it answered, by method, route and status).

const counterName = "demo_http_requests_total";

/** The sum of every demo_http_requests_total series in a Prometheus text exposition; null when there is none. */
export function totalRequests(exposition: string): number | null {
  let total: number | null = null;
  for (const line of exposition.split("\n")) {
    if (!line.startsWith(counterName)) continue;
    const rest = line.slice(counterName.length);
    if (rest[0] !== "{" && rest[0] !== " ") continue;
    const afterLabels = rest[0] === "{" ? rest.slice(rest.lastIndexOf("}") + 1) : rest;
    const value = Number(afterLabels.trim().split(/\s+/)[0]);
    if (Number.isFinite(value)) total = (total ?? 0) + value;
  }
  return total;
}

/**
 * Requests per second over a sliding window of counter readings: (newest - oldest in the window) /
 * their time apart. A counter that went down (the target restarted) starts the window over.
 */
export class ServedRate {
  private readings: { atMs: number; total: number }[] = [];

  constructor(private readonly windowMs: number) {}

  add(atMs: number, total: number): void {
    const last = this.readings[this.readings.length - 1];
    if (last && total < last.total) this.readings = [];
    this.readings.push({ atMs, total });
    // Keep the newest reading at least windowMs old as the window's start.
    while (this.readings.length > 2 && this.readings[1]!.atMs <= atMs - this.windowMs) this.readings.shift();
  }

  /** Requests per second; 0 until two readings are apart. */
  perSecond(): number {
    const first = this.readings[0];
    const last = this.readings[this.readings.length - 1];
    if (!first || !last || last.atMs <= first.atMs) return 0;
    return ((last.total - first.total) * 1000) / (last.atMs - first.atMs);
  }
}

/** CPU per pod in millicores: rate x CPU ms per request (ms of CPU per second = millicores) spread over the Ready pods, plus idle. */
export function cpuPerReadyPod(requestsPerSecond: number, cpuMsPerRequest: number, readyPods: number, idleMillicores: number): number {
  if (readyPods <= 0) return idleMillicores;
  return Math.round(idleMillicores + (requestsPerSecond * cpuMsPerRequest) / readyPods);
}
