// Whether one probe reading is inside its tolerance: pure, so every boundary is unit-tested.
import type { Comparator, HttpProbeDefinition, K8sProbeDefinition, PrometheusProbeDefinition } from "./schema.ts";

/** One reading of a probe: when, what it saw, whether that is inside the tolerance. */
export interface ProbeReading {
  probe: string;
  /** Unix ms when the reading was started (the request sent): the phase it belongs to. */
  startedAtMs: number;
  /** Unix ms when its answer arrived. */
  atMs: number;
  holds: boolean;
  /** The figure compared (latency ms, replicas, the query's value); null when there was none. */
  value: number | null;
  /** One line: what was seen against what is tolerated. */
  detail: string;
}

export function compare(value: number, comparator: Comparator, limit: number): boolean {
  switch (comparator) {
    case "<":
      return value < limit;
    case "<=":
      return value <= limit;
    case ">":
      return value > limit;
    case ">=":
      return value >= limit;
    case "==":
      return value === limit;
    case "!=":
      return value !== limit;
  }
}

export interface HttpAnswer {
  status: number | null;
  latencyMs: number;
  error?: string;
}

export function judgeHttp(probe: HttpProbeDefinition, answer: HttpAnswer): Pick<ProbeReading, "holds" | "value" | "detail"> {
  const { status: wanted, maxLatencyMs } = probe.tolerance;
  const latency = Math.round(answer.latencyMs * 10) / 10;
  if (answer.status === null) return { holds: false, value: null, detail: `GET ${probe.path}: no answer (${answer.error ?? "failed"}) after ${latency} ms` };
  const statusOk = answer.status === wanted;
  const latencyOk = maxLatencyMs === undefined || answer.latencyMs <= maxLatencyMs;
  const tolerance = `status ${wanted}${maxLatencyMs === undefined ? "" : `, latency <= ${maxLatencyMs} ms`}`;
  return { holds: statusOk && latencyOk, value: answer.latencyMs, detail: `GET ${probe.path}: ${answer.status} in ${latency} ms (tolerance: ${tolerance})` };
}

export function judgeCount(probe: K8sProbeDefinition, count: number, what: string): Pick<ProbeReading, "holds" | "value" | "detail"> {
  const { min, max } = probe.tolerance;
  const holds = count >= min && (max === undefined || count <= max);
  const tolerance = max === undefined ? `>= ${min}` : `${min} to ${max}`;
  return { holds, value: count, detail: `${count} ${what} (tolerance: ${tolerance})` };
}

export function judgePrometheus(probe: PrometheusProbeDefinition, value: number | null): Pick<ProbeReading, "holds" | "value" | "detail"> {
  const { comparator, value: limit } = probe.tolerance;
  const tolerance = `${comparator} ${limit}`;
  if (value === null) return { holds: probe.noData === "pass", value: null, detail: `${probe.query}: no data (tolerance: ${tolerance}; no data counts as ${probe.noData})` };
  return { holds: compare(value, comparator, limit), value, detail: `${probe.query} = ${value} (tolerance: ${tolerance})` };
}
