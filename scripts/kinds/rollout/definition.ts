// Rollout checks as data (config key `rolloutChecks`): which Deployment, what change, the load that runs
// throughout, and what is expected of the rollout (docs/rollouts.md).
import { z } from "zod";
import { parseDuration } from "../../../thresholds/duration.ts";
import { durationSchema as duration, nameSchema } from "../../../thresholds/schema.ts";
import { imageReferenceRule, isImageReference } from "../../core/image-reference.ts";

/** A Kubernetes namespace or container name (RFC 1123 label). */
const rfc1123Label = (what: string) => z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, `must be a Kubernetes ${what} (RFC 1123 label)`);
const namespaceName = rfc1123Label("namespace name");
/** A Kubernetes object name (RFC 1123 subdomain). */
const objectName = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, "must be a Kubernetes object name (RFC 1123 subdomain)");

export const rolloutChangeSchema = z
  .object({
    image: z.string().refine(isImageReference, imageReferenceRule).optional().describe("the new image of a container (the most common release)"),
    container: rfc1123Label("container name").optional().describe("which container gets `image`; needed when the pod has more than one"),
    templatePatch: z.record(z.string(), z.unknown()).optional().describe("a strategic merge patch of the Deployment's pod template (spec.template), e.g. {\"metadata\": {\"annotations\": {...}}}"),
  })
  .strict()
  .superRefine((change, context) => {
    if ((change.image === undefined) === (change.templatePatch === undefined)) context.addIssue({ code: "custom", message: "give exactly one of image or templatePatch" });
    if (change.container !== undefined && change.image === undefined) context.addIssue({ code: "custom", path: ["container"], message: "only with image" });
  });
export type RolloutChange = z.infer<typeof rolloutChangeSchema>;

const sloDuringSchema = z
  .object({
    latencyP95Ms: z.number().positive().max(3_600_000).optional().describe("p95 of the requests that ended during the phase must stay below this (ms)"),
    errorRate: z.number().min(0).max(1).optional().describe("share of failed requests during the phase must stay below this; 0: none at all"),
  })
  .strict()
  .refine((slo) => slo.latencyP95Ms !== undefined || slo.errorRate !== undefined, "give latencyP95Ms, errorRate or both");

export const rolloutOutcomes = ["completes", "rolled-back"] as const;

export const rolloutExpectationsSchema = z
  .object({
    outcome: z
      .enum(rolloutOutcomes)
      .default("completes")
      .describe("completes: the change rolls out; rolled-back: the change is deliberately bad, bulwark must detect it and roll it back (a rollback drill)"),
    completesWithin: duration.optional().describe("outcome completes: the rollout is complete (every replica updated and available) within this long after the change"),
    detectWithin: duration.optional().describe("outcome rolled-back: the failure is detected within this long after the change"),
    restoreWithin: duration
      .optional()
      .describe("the previous ReplicaSet is fully available again (and, with real pods, the SLO holds again) within this long after the rollback starts; required for rolled-back"),
    slo: sloDuringSchema.optional().describe("judged on the requests of the rollout phase alone, and of the rollback phase; needs real pods behind the load (simulated pods: not applicable)"),
  })
  .strict()
  .superRefine((expect, context) => {
    if (expect.outcome === "completes") {
      if (expect.completesWithin === undefined) context.addIssue({ code: "custom", path: ["completesWithin"], message: "required when outcome is completes" });
      if (expect.detectWithin !== undefined) context.addIssue({ code: "custom", path: ["detectWithin"], message: "only when outcome is rolled-back" });
    } else {
      if (expect.detectWithin === undefined) context.addIssue({ code: "custom", path: ["detectWithin"], message: "required when outcome is rolled-back" });
      if (expect.restoreWithin === undefined) context.addIssue({ code: "custom", path: ["restoreWithin"], message: "required when outcome is rolled-back" });
      if (expect.completesWithin !== undefined) context.addIssue({ code: "custom", path: ["completesWithin"], message: "only when outcome is completes" });
    }
  });
export type RolloutExpectations = z.infer<typeof rolloutExpectationsSchema>;

export const detectionSchema = z
  .object({
    readinessTimeout: duration.optional().describe("a new pod that runs this long without becoming Ready fails the rollout (besides the Deployment's progress deadline)"),
    sloBreach: z.boolean().default(true).describe("with real pods and expect.slo: an SLO breach during the rollout (last 3 s of requests) fails it"),
  })
  .strict();

export const rolloutCheckSchema = z
  .object({
    description: z.string().default(""),
    namespace: namespaceName,
    deployment: objectName.describe("the Deployment rolled out and back"),
    change: rolloutChangeSchema,
    load: z
      .object({ scenario: z.string().min(1), profile: z.string().min(1) })
      .strict()
      .optional()
      .describe("the load that runs throughout (before, during and after the rollout); its profile should last longer than the rollout and the rollback"),
    before: duration.default("2s").describe("load before the change, so the phase before it can be compared"),
    expect: rolloutExpectationsSchema,
    detect: detectionSchema.default({ sloBreach: true }),
    timeout: duration.optional().describe("give up waiting for the rollout (or the rollback) after this long; default twice its budget plus 30 s"),
  })
  .strict()
  .superRefine((check, context) => {
    if (check.expect.slo && !check.load) context.addIssue({ code: "custom", path: ["expect", "slo"], message: "needs a load (rolloutChecks.<name>.load) to judge" });
    // A give-up time shorter than a budget makes the budget unreachable: refuse it here rather than fail every run.
    const timeoutMs = check.timeout === undefined ? undefined : parseDuration(check.timeout);
    if (timeoutMs === undefined || timeoutMs === null) return;
    for (const budget of ["completesWithin", "detectWithin", "restoreWithin"] as const) {
      const budgetMs = check.expect[budget] === undefined ? null : parseDuration(check.expect[budget]);
      if (budgetMs !== null && timeoutMs < budgetMs) context.addIssue({ code: "custom", path: ["timeout"], message: `${check.timeout} is shorter than expect.${budget} (${check.expect[budget]}): the budget could never be met` });
    }
  });
export type RolloutCheck = z.infer<typeof rolloutCheckSchema>;

export const rolloutConfigShape = {
  rolloutChecks: z.record(nameSchema, rolloutCheckSchema).default({}).describe("rollout checks: a Deployment updated and rolled back under load (docs/rollouts.md)"),
};
export interface RolloutConfig {
  rolloutChecks: Record<string, RolloutCheck>;
}

const ms = (text: string | undefined): number | undefined => (text === undefined ? undefined : parseDuration(text)!);

/** The check's durations in milliseconds. */
export interface RolloutTimings {
  beforeMs: number;
  completesWithinMs?: number;
  detectWithinMs?: number;
  restoreWithinMs?: number;
  readinessTimeoutMs?: number;
  /** How long bulwark waits for the rollout, and for the rollback, before giving up. */
  rolloutGiveUpMs: number;
  rollbackGiveUpMs: number;
}

const giveUpAfter = (budgetMs: number): number => 2 * budgetMs + 30_000;

export function rolloutTimings(check: RolloutCheck): RolloutTimings {
  const rolloutBudget = ms(check.expect.completesWithin) ?? ms(check.expect.detectWithin)!;
  const timeout = ms(check.timeout);
  const timings: RolloutTimings = {
    beforeMs: ms(check.before)!,
    rolloutGiveUpMs: timeout ?? giveUpAfter(rolloutBudget),
    rollbackGiveUpMs: timeout ?? giveUpAfter(ms(check.expect.restoreWithin) ?? rolloutBudget),
  };
  const optional = {
    completesWithinMs: ms(check.expect.completesWithin),
    detectWithinMs: ms(check.expect.detectWithin),
    restoreWithinMs: ms(check.expect.restoreWithin),
    readinessTimeoutMs: ms(check.detect.readinessTimeout),
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) (timings as unknown as Record<string, number>)[key] = value;
  return timings;
}
