// promtool and amtool results as checks: one per file and tool, the tool's own words as the reason
// (they name the file and, for a broken rule, its group, index and name).
import type { Check } from "../../core/step-result.ts";
import type { MonitoringToolRun } from "../step-kind.ts";

export type StaticTool = "promtool check rules" | "promtool test rules" | "amtool check-config";

/** The tool's output as one line: the lines that say what failed, without the banner lines. */
export function toolReason(run: MonitoringToolRun, file: string): string {
  // "Checking 'x.yml'  FAILED: ..." (amtool) and "Checking x.yml" / "Unit Testing:  x.yml" (promtool) banners.
  const lines = run.output
    .split("\n")
    .map((line) => line.replace(/^(Checking|Unit Testing:)\s+('[^']*'|\S+)\s*/, "").trim())
    .filter((line) => line && line !== "FAILED:");
  if (run.code === 0) return `${file}: ${lines.join("; ") || "valid"}`;
  const text = lines.join("; ");
  // promtool's messages already name the file; amtool's do not always.
  return text.includes(file) ? text : `${file}: ${text || `exit code ${run.code}`}`;
}

export function staticCheck(tool: StaticTool, file: string, displayName: string, run: MonitoringToolRun): Check {
  return {
    name: `${tool} ${displayName}`,
    kind: "static",
    observed: run.code,
    limit: 0,
    unit: "count",
    verdict: run.code === 0 ? "pass" : "fail",
    reason: toolReason(run, file),
  };
}
