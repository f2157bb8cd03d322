import type { Check, GeneratorState } from "./step-result.ts";

/** A check's observed value or limit in its unit, as every report and table prints it. */
export function formatValue(value: number | null, unit: Check["unit"]): string {
  if (value === null) return "no data";
  if (unit === "ms") return `${Math.round(value * 10) / 10} ms`;
  if (unit === "ratio") return `${Math.round(value * 100_000) / 1000} %`;
  if (unit === "s") return formatMs(value * 1000);
  if (unit === "per-second") return `${Math.round(value * 10) / 10}/s`;
  return String(Math.round(value * 100) / 100);
}

/** 850 ms, 12.3 s, 4 min 05 s, 2 h 03 min: precise for short figures, readable for long ones. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, "0")} s`;
  const minutes = Math.round(ms / 60_000);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/** The number a unit prints, before its suffix: ratios as percent, seconds as seconds. */
const displayScale = (unit: Check["unit"]): number => (unit === "ratio" ? 100 : 1);

const suffixes: Record<Check["unit"], string> = { ms: " ms", ratio: " %", count: "", "per-second": "/s", replicas: " replicas", s: " s" };

/** `value` with `decimals` places, trailing zeros dropped: 0.0999, 5.1, 200. */
function decimalText(value: number, decimals: number): string {
  const text = value.toFixed(Math.min(Math.max(decimals, 0), 20));
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

const usualDecimals: Record<Check["unit"], number> = { ms: 1, ratio: 3, count: 2, "per-second": 1, replicas: 0, s: 1 };

/** The fewest decimals (from the unit's usual ones) whose printed value sits on the same side of `limit` as `value`. */
function decisiveDecimals(value: number, limit: number, unit: Check["unit"]): number {
  const scale = displayScale(unit);
  const [shown, bound] = [value * scale, limit * scale];
  const side = Math.sign(shown - bound);
  for (let decimals = usualDecimals[unit]; decimals <= 12; decimals++) {
    if (Math.sign(Number(decimalText(shown, decimals)) - Number(decimalText(bound, decimals))) === side) return decimals;
  }
  return 12;
}

/**
 * An observed value printed with the digits needed to tell which side of its limit it is on: 1 failure
 * in 1001 requests is "0.0999 %" against a 0.1 % limit, never "0.1 %". Without a limit: formatValue.
 */
export function formatObserved(value: number | null, limit: number | null, unit: Check["unit"]): string {
  if (value === null || limit === null || value === limit) return formatValue(value, unit);
  const usual = formatValue(value, unit);
  const decimals = decisiveDecimals(value, limit, unit);
  if (decimals === usualDecimals[unit]) return usual;
  return `${decimalText(value * displayScale(unit), decimals)}${suffixes[unit]}`;
}

/**
 * A check's observed and limit cells in a report table. "no data" only where the verdict is no-data: a
 * check judged on something other than a number (a template, a status) shows a dash.
 */
export function checkCells(check: Pick<Check, "observed" | "limit" | "unit" | "verdict" | "expression">): { observed: string; limit: string } {
  const missing = check.verdict === "no-data" ? formatValue(null, check.unit) : "–";
  return {
    observed: check.observed === null ? missing : formatObserved(check.observed, check.limit, check.unit),
    limit: check.expression ?? (check.limit === null ? missing : formatLimit(check.limit, check.unit)),
  };
}

/** A limit as written in the config, in its unit: every digit it has (0.00125 is "0.125 %"). */
export function formatLimit(limit: number | null, unit: Check["unit"]): string {
  if (limit === null) return formatValue(null, unit);
  if (unit === "s") return formatValue(limit, unit);
  const scaled = limit * displayScale(unit);
  for (let decimals = usualDecimals[unit]; decimals <= 12; decimals++) {
    const text = decimalText(scaled, decimals);
    if (Math.abs(Number(text) - scaled) <= Math.abs(scaled) * 1e-9) return `${text}${suffixes[unit]}`;
  }
  return `${scaled}${suffixes[unit]}`;
}

/** "37 iterations dropped (allowed 0); 1 of maxVUs 1 VUs allocated; engine CPU 0.93 cores (9.3 s)" */
export function generatorFigures(state: GeneratorState): string {
  const cpu = state.engineCpuSeconds === null ? "engine CPU not measured" : `engine CPU ${state.engineCpuCores?.toFixed(2) ?? "?"} cores (${formatValue(state.engineCpuSeconds, "s")})`;
  const sizing = state.vusSizedBy === "profile" ? "set by the profile" : "sized by Little's law";
  return `${state.droppedIterations} iteration${state.droppedIterations === 1 ? "" : "s"} dropped (allowed ${state.maxDroppedIterations}); ${state.vusMax} of maxVUs ${state.maxVUs} VUs allocated (${sizing}); ${cpu}`;
}

