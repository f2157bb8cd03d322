import { z } from "zod";

export const comparedMetricSchema = z.enum(["p50", "p90", "p95", "p99", "errorRate"]);
export type ComparedMetric = z.infer<typeof comparedMetricSchema>;

/**
 * How a run is compared with its history. Meant as the optional `regression` key of a suite in the
 * config (thresholds/schema.ts), so each suite decides whether a regression fails its gate.
 */
export const regressionPolicySchema = z
  .object({
    failGate: z.boolean().default(false).describe("a regression against the baseline fails the gate (exit 1); otherwise it is reported only"),
    baselineRuns: z.number().int().min(1).default(5).describe("the baseline is the median of this many most recent passing runs of the same suite and environment"),
    minRuns: z.number().int().min(1).default(3).describe("fewer passing runs than this is reported as insufficient history"),
    relativeLimit: z.number().positive().default(0.1).describe("a metric must be worse than the baseline by more than this share (0.1 = 10 %)"),
    noiseFactor: z
      .number()
      .min(0)
      .default(3)
      .describe("... and by more than this many times the run-to-run spread of the history (robust standard deviation, 1.4826 x MAD)"),
    minDeltaMs: z.number().min(0).default(1).describe("latency changes smaller than this (ms) are never a regression"),
    minDeltaErrorRate: z.number().min(0).default(0.001).describe("error-rate changes smaller than this are never a regression"),
    metrics: z.array(comparedMetricSchema).min(1).default(["p95", "p99", "errorRate"]).describe("per-endpoint metrics that are compared"),
  })
  .strict();
export type RegressionPolicy = z.infer<typeof regressionPolicySchema>;

export const defaultRegressionPolicy: RegressionPolicy = regressionPolicySchema.parse({});
