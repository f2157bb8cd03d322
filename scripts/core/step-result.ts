import { z } from "zod";

// What every step kind yields, and all that the layers above the kinds (reports, history, JUnit, the
// CLI) know of a step.

/**
 * pass, fail (a check failed: exit 1), invalid (every SLO check held but the load generator could not
 * send the planned load, so the run proves nothing: exit 3), aborted, error (tooling: exit 3).
 */
export const verdictSchema = z.enum(["pass", "fail", "invalid", "aborted", "error"]);
export type Verdict = z.infer<typeof verdictSchema>;

/** One pass/fail check of a step: an SLO threshold, a hypothesis probe, an RTO/RPO target, a regression. */
export const checkSchema = z.object({
  name: z.string().describe("human name, e.g. 'list-items p(95) < 200 ms'"),
  kind: z
    .enum(["threshold", "hypothesis", "expectation", "injection", "safety", "scaling", "alert", "rollout", "static", "drill", "regression", "generator"])
    .describe("generator: whether the load generator sent the planned load (a failure makes the step invalid, not failed); expectation: an SLO judged on one phase of the load; injection: proof that a fault took effect"),
  metric: z.string().optional().describe("metric with its tag selector, for thresholds"),
  expression: z.string().optional().describe("threshold expression, e.g. p(95)<200"),
  endpoint: z.string().nullable().optional(),
  observed: z.number().nullable().describe("measured value; null when there were no samples"),
  limit: z.number().nullable(),
  unit: z.enum(["ms", "ratio", "count", "per-second", "replicas", "s"]),
  verdict: z.enum(["pass", "fail", "no-data"]),
  reason: z.string(),
  samples: z.number().int().min(0).optional().describe("percentile and rate thresholds: the samples (requests) judged"),
  beyondLimit: z.number().int().min(0).optional().describe("percentile thresholds: of those, the samples on the wrong side of the limit (exact count)"),
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

/** What the load generator did in a load step: did it send the planned load, or did it saturate? */
export const generatorStateSchema = z.object({
  preAllocatedVUs: z.number().int().min(0),
  maxVUs: z.number().int().min(0),
  vusSizedBy: z.enum(["profile", "littles-law"]).describe("profile: the profile fixed the VUs; littles-law: arrival rate x SLO latency x headroom"),
  vusMax: z.number().int().min(0).describe("the most VUs the engine had allocated"),
  droppedIterations: z.number().int().min(0),
  maxDroppedIterations: z.number().int().min(0),
  engineCpuSeconds: z.number().min(0).nullable().describe("user + system CPU of the engine process, sampled every second (may miss the last second); null where /proc is not readable"),
  engineCpuCores: z.number().min(0).nullable().describe("engineCpuSeconds per second of the step: 1 = one core busy throughout"),
  runnerDroppedIterations: z
    .array(z.number().int().min(0))
    .optional()
    .describe("a step split into runners: each runner's dropped iterations, by runner index; one runner over its share of maxDroppedIterations saturates the step"),
  saturated: z.boolean().describe("more iterations dropped than the profile allows, in the whole step or by one runner beyond its share"),
});
export type GeneratorState = z.infer<typeof generatorStateSchema>;

/** A window of a step's load, cut from the journal's timestamps: before, during a fault, rollout, recovery, after. */
export const phaseSchema = z.object({
  name: z.string().describe("e.g. before, fault:kill-one-pod, recovery, after, rollout, rollback"),
  kind: z.enum(["before", "fault", "recovery", "after", "rollout", "rollback", "load", "other"]).describe("report.html shades fault, rollout and rollback windows"),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime(),
});
export type Phase = z.infer<typeof phaseSchema>;

/** One dated event of a step: injected, confirmed, removed, recovered, hypothesis violated, alert firing... */
export const timelineEventSchema = z.object({
  at: z.iso.datetime(),
  event: z.string().describe("short machine-friendly name, e.g. fault-injected"),
  detail: z.string().default(""),
});
export type TimelineEvent = z.infer<typeof timelineEventSchema>;

/** A series a kind observed besides the load (replicas, alert state), drawn by report.html on the load's time axis. */
export const extraSeriesSchema = z.object({
  name: z.string().describe("e.g. ready replicas"),
  unit: z.string().describe("axis label, e.g. replicas"),
  points: z.array(z.tuple([z.number().describe("Unix time in ms"), z.number().nullable()])),
});
export type ExtraSeries = z.infer<typeof extraSeriesSchema>;

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
  generator: generatorStateSchema.optional(),
  checks: z.array(checkSchema),
  phases: z.array(phaseSchema).optional().describe("windows of the load judged on their own (chaos, rollout and alert steps)"),
  timeline: z.array(timelineEventSchema).optional(),
  series: z.array(extraSeriesSchema).optional().describe("what the step watched besides the load, e.g. the replica timeline"),
  artifacts: z.record(z.string(), z.string()).default({}).describe("files of this step in the run directory"),
});
export type StepResult = z.infer<typeof stepSchema>;

/** How reports name a check's outcome: a failed generator check makes its step invalid, not failed. */
export function checkVerdictLabel(check: Pick<Check, "kind" | "verdict">): string {
  return check.kind === "generator" && check.verdict === "fail" ? "invalid" : check.verdict;
}
