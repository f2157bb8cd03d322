import { z } from "zod";

// What every step kind yields, and all that the layers above the kinds (reports, history, JUnit, the
// CLI) know of a step.

export const verdictSchema = z.enum(["pass", "fail", "aborted", "error"]);
export type Verdict = z.infer<typeof verdictSchema>;

/** One pass/fail check of a step: an SLO threshold, a hypothesis probe, an RTO/RPO target, a regression. */
export const checkSchema = z.object({
  name: z.string().describe("human name, e.g. 'list-items p(95) < 200 ms'"),
  kind: z.enum(["threshold", "hypothesis", "scaling", "drill", "regression"]),
  metric: z.string().optional().describe("metric with its tag selector, for thresholds"),
  expression: z.string().optional().describe("threshold expression, e.g. p(95)<200"),
  endpoint: z.string().nullable().optional(),
  observed: z.number().nullable().describe("measured value; null when there were no samples"),
  limit: z.number().nullable(),
  unit: z.enum(["ms", "ratio", "count", "per-second", "replicas", "s"]),
  verdict: z.enum(["pass", "fail", "no-data"]),
  reason: z.string(),
});
export type Check = z.infer<typeof checkSchema>;

export const latencySchema = z.object({
  avg: z.number(),
  p50: z.number(),
  p90: z.number(),
  p95: z.number(),
  p99: z.number(),
  max: z.number(),
});

export const endpointStatsSchema = z.object({
  name: z.string(),
  criticality: z.enum(["critical", "standard"]),
  requests: z.number().int().min(0),
  ratePerSecond: z.number().min(0),
  errorRate: z.number().min(0).max(1).nullable(),
  latencyMs: latencySchema.nullable(),
});
export type EndpointStats = z.infer<typeof endpointStatsSchema>;

export const loadTotalsSchema = z.object({
  requests: z.number().int().min(0),
  ratePerSecond: z.number().min(0),
  errorRate: z.number().min(0).max(1).nullable(),
  iterations: z.number().int().min(0),
  droppedIterations: z.number().int().min(0),
  checksPassRate: z.number().min(0).max(1).nullable(),
  vusMax: z.number().int().min(0),
});

export const stepSchema = z.object({
  name: z.string(),
  kind: z.string().regex(/^[a-z][a-z0-9-]*$/).describe("the step kind (scenario, drill, ...): a name in the registry of step kinds"),
  scenario: z.string().optional(),
  profile: z.string().optional(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  durationMs: z.number().min(0),
  plannedDurationMs: z.number().min(0).optional(),
  verdict: verdictSchema,
  error: z.string().optional().describe("why the step could not complete (tooling error or abort)"),
  engineExitCode: z.number().int().nullable().optional().describe("the load engine's exit code (docs/engine.md)"),
  k6ExitCode: z.number().int().nullable().optional().describe("legacy: runs recorded before bulwark had its own engine"),
  totals: loadTotalsSchema.optional(),
  endpoints: z.array(endpointStatsSchema).optional(),
  checks: z.array(checkSchema),
  artifacts: z.record(z.string(), z.string()).default({}).describe("files of this step in the run directory"),
});
export type StepResult = z.infer<typeof stepSchema>;
