// Scaling checks as data (config key `scalingChecks`): the workload (namespace, Deployment, HPA), the
// load that runs meanwhile, the expectations on the replica timeline, and, for the local test cluster
// only, the usage bridge that turns the served request rate into simulated pod CPU.
import { z } from "zod";
import { parseDuration } from "../../../thresholds/duration.ts";
import { durationSchema as duration, nameSchema } from "../../../thresholds/schema.ts";

const replicas = z.number().int().min(0).max(10_000);

export const scalingExpectationsSchema = z
  .object({
    scaleOut: z
      .object({
        readyReplicas: replicas.min(1).describe("at least this many Ready replicas (the Deployment's readyReplicas)"),
        within: duration.describe("counted from the load's start"),
      })
      .strict()
      .optional()
      .describe("reach at least N ready replicas within T after the load starts"),
    neverAbove: replicas.min(1).optional().describe("the desired and current replica counts never exceed this, from the load's start to the end of the observation"),
    maxDirectionChanges: z
      .number()
      .int()
      .min(0)
      .max(1000)
      .optional()
      .describe("no flapping: at most this many changes of direction (up to down or down to up) of the desired replicas while the load runs"),
    scaleIn: z
      .object({
        replicas: replicas.describe("at most this many replicas (the Deployment's status.replicas: pods not yet terminated)"),
        within: duration.describe("counted from the load's end"),
      })
      .strict()
      .optional()
      .describe("back to at most M replicas within T2 after the load stops"),
  })
  .strict()
  .refine((expect) => Object.values(expect).some((value) => value !== undefined), "name at least one expectation: scaleOut, neverAbove, maxDirectionChanges or scaleIn");
export type ScalingExpectations = z.infer<typeof scalingExpectationsSchema>;

export const usageBridgeSchema = z
  .object({
    cpuMsPerRequest: z.number().positive().max(60_000).describe("CPU time one request served by the demo target costs the simulated workload (ms)"),
    idleMillicores: z.number().min(0).max(100_000).default(1).describe("CPU of a pod with no requests (millicores)"),
  })
  .strict()
  .describe(
    "simulation aid for the local test cluster only (environments.<env>.kubernetes.local): writes the served request rate x cpuMsPerRequest, spread over the Ready pods, as KWOK CPU usage annotations",
  );
export type UsageBridgeConfig = z.infer<typeof usageBridgeSchema>;

export const scalingCheckSchema = z
  .object({
    description: z.string().default(""),
    workload: z
      .object({
        namespace: nameSchema,
        deployment: nameSchema.describe("the Deployment the HPA scales"),
        hpa: nameSchema.optional().describe("the HorizontalPodAutoscaler (autoscaling/v2); default: the Deployment's name"),
      })
      .strict(),
    load: z.object({ scenario: nameSchema, profile: nameSchema }).strict().describe("the load that runs meanwhile (long enough for the HPA to react: a few sync periods)"),
    expect: scalingExpectationsSchema,
    usageBridge: usageBridgeSchema.optional(),
  })
  .strict();
export type ScalingCheck = z.infer<typeof scalingCheckSchema>;

export const scalingConfigShape = {
  scalingChecks: z.record(nameSchema, scalingCheckSchema).default({}).describe("HPA scaling checks (`bulwark scale <check>`, suite step {\"scale\": <check>}), docs/scaling.md"),
};

export interface ScalingConfig {
  scalingChecks: Record<string, ScalingCheck>;
}

export const hpaNameOf = (check: ScalingCheck): string => check.workload.hpa ?? check.workload.deployment;

/** The expectations' durations in ms (the schema has checked that they parse). */
export interface ExpectationLimits {
  scaleOut?: { readyReplicas: number; withinMs: number };
  neverAbove?: number;
  maxDirectionChanges?: number;
  scaleIn?: { replicas: number; withinMs: number };
}

export function expectationLimits(expect: ScalingExpectations): ExpectationLimits {
  const ms = (text: string): number => parseDuration(text) ?? 0;
  return {
    ...(expect.scaleOut ? { scaleOut: { readyReplicas: expect.scaleOut.readyReplicas, withinMs: ms(expect.scaleOut.within) } } : {}),
    ...(expect.neverAbove !== undefined ? { neverAbove: expect.neverAbove } : {}),
    ...(expect.maxDirectionChanges !== undefined ? { maxDirectionChanges: expect.maxDirectionChanges } : {}),
    ...(expect.scaleIn ? { scaleIn: { replicas: expect.scaleIn.replicas, withinMs: ms(expect.scaleIn.within) } } : {}),
  };
}
