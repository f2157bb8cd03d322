// The few Prometheus HTTP API calls an alert check needs: rules (interval, `for`), alerts (pending,
// firing), raw samples (exact scrape and evaluation instants) and instant queries.
import { ToolingError } from "../../core/errors.ts";
import { reachApi } from "./reach-api.ts";

export interface AlertingRule {
  name: string;
  query: string;
  /** `for`, in seconds. */
  forSeconds: number;
  labels: Record<string, string>;
  group: string;
  file: string;
  /** The rule group's evaluation interval, in seconds. */
  intervalSeconds: number;
}

export interface PrometheusAlert {
  labels: Record<string, string>;
  state: "pending" | "firing" | "inactive";
  activeAt?: string;
}

export interface Sample {
  atMs: number;
  value: number;
}

interface ApiAnswer<T> {
  status: "success" | "error";
  data: T;
  error?: string;
}

export class PrometheusApi {
  constructor(readonly url: string) {}

  private async get<T>(path: string): Promise<T> {
    const response = await reachApi("Prometheus", this.url, path);
    const body = (await response.json().catch(() => undefined)) as ApiAnswer<T> | undefined;
    if (!response.ok || body?.status !== "success") throw new ToolingError(`Prometheus at ${this.url}${path.split("?")[0]}: ${(body?.error ?? `HTTP ${response.status}`).replace(/\s+/g, " ")}`);
    return body.data;
  }

  async alertingRules(): Promise<AlertingRule[]> {
    const data = await this.get<{ groups: { name: string; file: string; interval: number; rules: { type: string; name: string; query: string; duration: number; labels?: Record<string, string> }[] }[] }>("/api/v1/rules?type=alert");
    return data.groups.flatMap((group) =>
      group.rules
        .filter((rule) => rule.type === "alerting")
        .map((rule) => ({ name: rule.name, query: rule.query, forSeconds: rule.duration, labels: rule.labels ?? {}, group: group.name, file: group.file, intervalSeconds: group.interval })),
    );
  }

  async alerts(): Promise<PrometheusAlert[]> {
    return (await this.get<{ alerts: PrometheusAlert[] }>("/api/v1/alerts")).alerts;
  }

  /** Scrape interval of a job's targets, in seconds (null when the job has no active target). */
  async scrapeIntervalSeconds(job: string): Promise<number | null> {
    const data = await this.get<{ activeTargets: { labels: Record<string, string>; scrapeInterval?: string }[] }>("/api/v1/targets?state=active");
    const interval = data.activeTargets.find((target) => target.labels.job === job)?.scrapeInterval;
    return interval ? durationSeconds(interval) : null;
  }

  /** Raw samples of a selector since `sinceMs` (a range selector evaluated now): exact scrape or evaluation instants. */
  async samplesSince(selector: string, sinceMs: number): Promise<{ labels: Record<string, string>; samples: Sample[] }[]> {
    const seconds = Math.max(1, Math.ceil((Date.now() - sinceMs) / 1000) + 2);
    const data = await this.get<{ result: { metric: Record<string, string>; values: [number, string][] }[] }>(`/api/v1/query?query=${encodeURIComponent(`${selector}[${seconds}s]`)}`);
    return data.result.map((series) => ({
      labels: series.metric,
      samples: series.values.map(([at, value]) => ({ atMs: Math.round(at * 1000), value: Number(value) })).filter((sample) => sample.atMs >= sinceMs),
    }));
  }

  /** A range query on a grid of stepSeconds: each series with the instants it had a value. */
  async queryRange(query: string, fromMs: number, toMs: number, stepSeconds: number): Promise<{ labels: Record<string, string>; samples: Sample[] }[]> {
    const params = new URLSearchParams({ query, start: (fromMs / 1000).toFixed(3), end: (toMs / 1000).toFixed(3), step: stepSeconds.toFixed(3) });
    const data = await this.get<{ result: { metric: Record<string, string>; values: [number, string][] }[] }>(`/api/v1/query_range?${params}`);
    return data.result.map((series) => ({ labels: series.metric, samples: series.values.map(([at, value]) => ({ atMs: Math.round(at * 1000), value: Number(value) })) }));
  }

  async ready(): Promise<void> {
    await this.get("/api/v1/status/buildinfo");
  }
}

/** Prometheus durations as the API prints them: "1s", "1m30s", "500ms". */
export function durationSeconds(text: string): number | null {
  let total = 0;
  let rest = text.trim();
  if (!rest) return null;
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };
  while (rest) {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/.exec(rest);
    if (!match) return null;
    total += Number(match[1]) * units[match[2]!]!;
    rest = rest.slice(match[0].length);
  }
  return total;
}
