// Alertmanager API v2: is it there, which alerts does it hold, and its root route's timings.
import { ToolingError } from "../../core/errors.ts";
import { durationSeconds } from "./prometheus-api.ts";
import { reachApi } from "./reach-api.ts";

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  startsAt: string;
  updatedAt: string;
  receivers: { name: string }[];
  status: { state: "active" | "suppressed" | "unprocessed" };
}

export interface RouteTimings {
  receiver: string | null;
  groupWaitSeconds: number | null;
  groupIntervalSeconds: number | null;
}

export class AlertmanagerApi {
  constructor(readonly url: string) {}

  private async get<T>(path: string): Promise<T> {
    const response = await reachApi("Alertmanager", this.url, path);
    if (!response.ok) throw new ToolingError(`Alertmanager at ${this.url}${path}: HTTP ${response.status}`);
    return (await response.json()) as T;
  }

  /** Alerts Alertmanager holds and has not resolved (the API leaves resolved ones out). */
  alerts(): Promise<AlertmanagerAlert[]> {
    return this.get<AlertmanagerAlert[]>("/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true");
  }

  /** The root route's receiver, group_wait and group_interval, read from the configuration it runs with. */
  async rootRoute(): Promise<RouteTimings> {
    const status = await this.get<{ config: { original: string } }>("/api/v2/status");
    return rootRouteTimings(status.config.original);
  }
}

/**
 * Reads the root route's settings from the YAML Alertmanager prints in its status (its own
 * serialisation: the route's keys are indented two spaces below `route:`).
 */
export function rootRouteTimings(yaml: string): RouteTimings {
  const lines = yaml.split("\n");
  const start = lines.findIndex((line) => /^route:\s*$/.test(line));
  const result: RouteTimings = { receiver: null, groupWaitSeconds: null, groupIntervalSeconds: null };
  if (start < 0) return result;
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break;
    const match = /^ {2}([a-z_]+):\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    const value = match[2]!.replace(/^["']|["']$/g, "");
    if (match[1] === "receiver") result.receiver = value;
    if (match[1] === "group_wait") result.groupWaitSeconds = durationSeconds(value);
    if (match[1] === "group_interval") result.groupIntervalSeconds = durationSeconds(value);
  }
  return result;
}
