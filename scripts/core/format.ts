import type { Check } from "./step-result.ts";

/** A check's observed value or limit in its unit, as every report and table prints it. */
export function formatValue(value: number | null, unit: Check["unit"]): string {
  if (value === null) return "no data";
  if (unit === "ms") return `${Math.round(value * 10) / 10} ms`;
  if (unit === "ratio") return `${Math.round(value * 100_000) / 1000} %`;
  if (unit === "s") return `${Math.round(value * 10) / 10} s`;
  if (unit === "per-second") return `${Math.round(value * 10) / 10}/s`;
  return String(Math.round(value * 100) / 100);
}
