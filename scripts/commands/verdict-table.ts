import { formatValue } from "../core/format.ts";
import type { RunSummary } from "../../reports/summary-schema.ts";
import { bold, green, red, table, yellow } from "../core/output.ts";

const paintVerdict = (verdict: string): string =>
  verdict === "pass" ? green(verdict) : verdict === "fail" || verdict === "error" ? red(verdict) : yellow(verdict);

/** The final table people read in a terminal or CI log: every check, failures first. */
export function renderVerdictTable(summary: RunSummary, runDirectory: string): string {
  const rows: string[][] = [["step", "check", "observed", "limit", "verdict"]];
  for (const step of summary.steps) {
    const ordered = [...step.checks].sort((a, b) => Number(a.verdict === "pass") - Number(b.verdict === "pass"));
    for (const check of ordered) {
      rows.push([step.name, check.name, formatValue(check.observed, check.unit), check.expression ?? formatValue(check.limit, check.unit), paintVerdict(check.verdict)]);
    }
    if (step.error) rows.push([step.name, "step completed", "–", "–", paintVerdict(step.verdict)]);
  }
  return [
    "",
    table(rows),
    "",
    `${bold("verdict")}: ${paintVerdict(summary.verdict)} (exit ${summary.exitCode})`,
    `report: ${runDirectory}`,
  ].join("\n");
}
