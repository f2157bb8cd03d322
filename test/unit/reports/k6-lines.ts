/** k6 JSON output lines in the exact layout k6 v1 writes them. */
export function pointLine(metric: string, time: Date, value: number, tags: Record<string, string> = {}): string {
  const data = { time: time.toISOString().replace("Z", "123456Z"), value, tags };
  return JSON.stringify({ metric, type: "Point", data });
}

export function metricLine(metric: string, type: string): string {
  return JSON.stringify({ type: "Metric", data: { name: metric, type, contains: "default", thresholds: [], submetrics: null }, metric });
}

/** The lines k6 writes for one HTTP request. */
export function requestLines(time: Date, endpoint: string, durationMs: number, failed = false): string[] {
  const tags = { endpoint, expected_response: String(!failed), group: "", method: "GET", name: `/api/${endpoint}`, scenario: "default", status: failed ? "500" : "200" };
  return [
    pointLine("http_reqs", time, 1, tags),
    pointLine("http_req_duration", time, durationMs, tags),
    pointLine("http_req_blocked", time, 0.01, tags),
    pointLine("http_req_waiting", time, durationMs * 0.9, tags),
    pointLine("http_req_failed", time, failed ? 1 : 0, tags),
  ];
}
