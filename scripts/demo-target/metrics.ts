// The demo target's Prometheus metrics: requests by method, route and status, and a latency histogram.

/** Upper bounds (seconds) of the latency histogram: fine around the 200 ms SLO, coarse beyond. */
export const latencyBucketsSeconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.5, 1, 2.5, 5] as const;

interface RouteSeries {
  method: string;
  route: string;
  requestsByStatus: Map<number, number>;
  bucketCounts: number[];
  sumSeconds: number;
  count: number;
}

const escapeLabel = (value: string): string => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

export class DemoMetrics {
  private readonly series = new Map<string, RouteSeries>();

  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route}`;
    let entry = this.series.get(key);
    if (!entry) {
      entry = { method, route, requestsByStatus: new Map(), bucketCounts: latencyBucketsSeconds.map(() => 0), sumSeconds: 0, count: 0 };
      this.series.set(key, entry);
    }
    entry.requestsByStatus.set(status, (entry.requestsByStatus.get(status) ?? 0) + 1);
    latencyBucketsSeconds.forEach((bound, index) => {
      if (seconds <= bound) entry.bucketCounts[index]! += 1;
    });
    entry.sumSeconds += seconds;
    entry.count += 1;
  }

  /** Prometheus text exposition format 0.0.4. */
  render(): string {
    const lines = [
      "# HELP demo_http_requests_total Requests answered by the demo target.",
      "# TYPE demo_http_requests_total counter",
    ];
    const entries = [...this.series.values()].sort((a, b) => `${a.route} ${a.method}`.localeCompare(`${b.route} ${b.method}`));
    for (const entry of entries) {
      for (const [status, count] of [...entry.requestsByStatus].sort(([a], [b]) => a - b)) {
        lines.push(`demo_http_requests_total{method="${entry.method}",route="${escapeLabel(entry.route)}",status="${status}"} ${count}`);
      }
    }
    lines.push("# HELP demo_http_request_duration_seconds Time from a request's arrival to its answer.", "# TYPE demo_http_request_duration_seconds histogram");
    for (const entry of entries) {
      const labels = `method="${entry.method}",route="${escapeLabel(entry.route)}"`;
      latencyBucketsSeconds.forEach((bound, index) => lines.push(`demo_http_request_duration_seconds_bucket{${labels},le="${bound}"} ${entry.bucketCounts[index]}`));
      lines.push(`demo_http_request_duration_seconds_bucket{${labels},le="+Inf"} ${entry.count}`);
      lines.push(`demo_http_request_duration_seconds_sum{${labels}} ${entry.sumSeconds}`);
      lines.push(`demo_http_request_duration_seconds_count{${labels}} ${entry.count}`);
    }
    return lines.join("\n") + "\n";
  }
}
