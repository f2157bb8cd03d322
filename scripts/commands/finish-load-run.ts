import type { StepsRunResult } from "./run-steps.ts";
import { printJson, say } from "../core/output.ts";
import { renderVerdictTable } from "./verdict-table.ts";

/** Prints the verdict (table for people, summary.json with --json) and returns the exit code. */
export function finishLoadRun(result: StepsRunResult, json: boolean): number {
  say(renderVerdictTable(result.summary, result.runDirectory.path));
  if (json) printJson(result.summary);
  return result.summary.exitCode;
}
