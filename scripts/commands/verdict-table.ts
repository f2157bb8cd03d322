import { formatLimit, formatObserved } from "../core/format.ts";
import { checkVerdictLabel } from "../core/step-result.ts";
import type { RunSummary } from "../../reports/summary-schema.ts";
import { bold, green, red, table, yellow } from "../core/output.ts";

const paintVerdict = (verdict: string): string =>
  verdict === "pass" ? green(verdict) : verdict === "fail" || verdict === "error" ? red(verdict) : yellow(verdict);

/** Why a run is invalid, one line per saturated step: the figures a person needs to resize the generator. */
function invalidReasons(summary: RunSummary): string[] {
  return summary.steps.flatMap((step) => step.checks.filter((check) => checkVerdictLabel(check) === "invalid").map((check) => `${step.name}: ${check.reason}`));
}

/** The final table people read in a terminal or CI log: every check, failures first. */
export function renderVerdictTable(summary: RunSummary, runDirectory: string): string {
  const rows: string[][] = [["step", "check", "observed", "limit", "verdict"]];
  for (const step of summary.steps) {
    const ordered = [...step.checks].sort((a, b) => Number(a.verdict === "pass") - Number(b.verdict === "pass"));
    for (const check of ordered) {
      rows.push([step.name, check.name, formatObserved(check.observed, check.limit, check.unit), check.expression ?? formatLimit(check.limit, check.unit), paintVerdict(checkVerdictLabel(check))]);
    }
    if (step.error) rows.push([step.name, "step completed", "–", "–", paintVerdict(step.verdict)]);
  }
  return [
    "",
    table(rows),
    "",
    `${bold("verdict")}: ${paintVerdict(summary.verdict)} (exit ${summary.exitCode})`,
    ...invalidReasons(summary),
    `report: ${runDirectory}`,
  ].join("\n");
}
