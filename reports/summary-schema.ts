import { z } from "zod";
import { verdictSchema, checkSchema, latencySchema, endpointStatsSchema, loadTotalsSchema, stepSchema, type Verdict, type Check, type EndpointStats, type StepResult } from "../scripts/core/step-result.ts";

export { verdictSchema, checkSchema, latencySchema, endpointStatsSchema, loadTotalsSchema, stepSchema, type Verdict, type Check, type EndpointStats, type StepResult };

/** Bump when a field changes meaning or disappears; adding optional fields keeps the version. */
export const summarySchemaVersion = 1;

export const summarySchema = z.object({
  schemaVersion: z.literal(summarySchemaVersion),
  runId: z.string(),
  kind: z.enum(["run", "gate", "drill", "chaos", "scale", "alert", "rollout"]),
  name: z.string().describe("scenario, suite, drill or experiment name"),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  durationMs: z.number().min(0),
  gitCommit: z.string().nullable(),
  environment: z.string(),
  target: z.string().describe("base URL of the service under test (no credentials)"),
  tool: z.object({ name: z.literal("bulwark"), version: z.string() }),
  engineVersion: z.string().nullable().optional().describe("the load engine that ran the load steps, e.g. 'bulwark-engine 0.1.0+3f2a…'"),
  k6Version: z.string().nullable().optional().describe("legacy: runs recorded before bulwark had its own engine"),
  verdict: verdictSchema,
  exitCode: z.number().int(),
  steps: z.array(stepSchema),
});
export type RunSummary = z.infer<typeof summarySchema>;

/** Which load engine produced a run, for report headers; runs recorded under k6 say so. */
export function engineLabel(summary: Pick<RunSummary, "engineVersion" | "k6Version">): string {
  if (summary.engineVersion) return summary.engineVersion;
  if (summary.k6Version) return `k6 ${summary.k6Version}`;
  return "no load engine";
}
