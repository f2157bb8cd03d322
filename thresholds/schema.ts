import { z } from "zod";
import { parseDuration } from "./duration.ts";
import { regressionPolicySchema } from "./regression-policy.ts";

/** A duration string ("500ms", "30s", "2m", "1h30m"), strictly positive. */
export const durationSchema = z
  .string()
  .describe('duration such as "500ms", "30s", "15m" or "4h"')
  .refine((text) => parseDuration(text) !== null, { message: 'must be a duration such as "30s", "2m" or "1h30m"' })
  .refine((text) => (parseDuration(text) ?? 0) > 0, { message: "must be greater than zero" });

const positiveMs = z.number().positive();
const fraction = z.number().min(0).max(1);

/** Service level objectives for one endpoint; every field has the production-readiness default. */
export const sloSchema = z
  .object({
    latencyP95Ms: positiveMs.default(200).describe("95th percentile of request duration must stay below this (ms)"),
    latencyP99Ms: positiveMs.default(500).describe("99th percentile of request duration must stay below this (ms)"),
    errorRate: fraction.default(0.001).describe("share of failed requests must stay below this (0.001 = 99.9 % availability)"),
  })
  .strict();
export type Slo = z.infer<typeof sloSchema>;

export const criticalitySchema = z.enum(["critical", "standard"]);
export type Criticality = z.infer<typeof criticalitySchema>;

export const endpointSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "must be lower-case letters, digits and dashes").describe("tag value used in metrics and reports"),
    method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).default("GET"),
    path: z.string().startsWith("/", "must start with /").describe("path template; {id} marks a variable part"),
    criticality: criticalitySchema.default("standard"),
    slo: sloSchema.partial().optional().describe("overrides of the SLO of this endpoint's criticality"),
  })
  .strict();
export type EndpointConfig = z.infer<typeof endpointSchema>;

const vusSchema = {
  preAllocatedVUs: z.number().int().positive().default(10).describe("VUs allocated before the test starts"),
  maxVUs: z.number().int().positive().default(50).describe("upper bound of VUs the engine may allocate to keep the arrival rate"),
  maxDroppedIterations: z.number().int().min(0).default(0).describe("iterations the generator may drop before the run fails"),
};

const stageSchema = z.object({ target: z.number().min(0).describe("arrival rate (iterations/s) at the end of the stage"), duration: durationSchema }).strict();

/** Open-model load shapes: arrival-rate executors, so a slow service cannot hide behind coordinated omission. */
export const profileSchema = z.discriminatedUnion("executor", [
  z
    .object({
      executor: z.literal("constant-arrival-rate"),
      ratePerSecond: z.number().positive().describe("iterations started per second"),
      duration: durationSchema,
      ...vusSchema,
      abortOnFail: z.boolean().default(false),
    })
    .strict(),
  z
    .object({
      executor: z.literal("ramping-arrival-rate"),
      startRate: z.number().min(0).default(0),
      stages: z.array(stageSchema).min(1),
      ...vusSchema,
      abortOnFail: z.boolean().default(false).describe("stop as soon as an SLO threshold is crossed (stress, breakpoint)"),
    })
    .strict(),
]);
export type Profile = z.infer<typeof profileSchema>;

export const profileNames = ["smoke", "load", "stress", "breakpoint", "spike", "soak"] as const;

/** A suite: steps of any kind, run in order. The registry supplies the step schema of every kind. */
export function suiteSchemaWith<Step extends z.ZodType<Record<string, unknown>>>(stepSchema: Step) {
  return z
    .object({
      description: z.string().default(""),
      profile: z.string().min(1).optional().describe("profile every load step uses unless the step names its own"),
      steps: z.array(stepSchema).min(1),
      regression: regressionPolicySchema.optional().describe("baseline comparison against the run history; failGate: a regression fails this suite's gate"),
    })
    .strict();
}

/** A suite step as the base layer sees it: an object whose key names its kind ({"scenario": …}, {"drill": …}). */
export const anySuiteStepSchema = z.record(z.string(), z.unknown());

export const environmentSchema = z
  .object({
    description: z.string().default(""),
    demo: z.boolean().default(false).describe("start the embedded demo target on 127.0.0.1 and aim at it"),
    baseUrl: z.url({ protocol: /^https?$/ }).optional().describe("base URL of the service under test (not needed when demo is true)"),
    healthPath: z.string().startsWith("/").default("/health"),
    auth: z
      .object({ bearerTokenEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "must be an environment variable name") })
      .strict()
      .optional()
      .describe("bearer token read from the named environment variable; never printed or written to a report"),
    profiles: z.record(z.string(), z.record(z.string(), z.unknown())).default({}).describe("per-profile overrides for this environment"),
    suites: z.record(z.string(), z.object({ profile: z.string().min(1) }).strict()).default({}).describe("profile each suite uses here"),
    slo: z.record(z.string(), sloSchema.partial()).default({}).describe("per-endpoint SLO overrides for this environment"),
    allowChaos: z.boolean().default(false),
    allowDestructive: z.boolean().default(false).describe("destructive drill steps may run here (with --confirm-destroy)"),
  })
  .strict();
export type EnvironmentConfig = z.infer<typeof environmentSchema>;

/** Config keys of the base layer; step kinds add their own (scripts/registry/config-schema.ts). */
export const baseConfigShape = {
  $schema: z.string().optional(),
  slo: z
    .object({ critical: sloSchema.default(sloSchema.parse({})), standard: sloSchema.default(sloSchema.parse({ latencyP95Ms: 500, latencyP99Ms: 1000, errorRate: 0.01 })) })
    .strict()
    .default({ critical: sloSchema.parse({}), standard: sloSchema.parse({ latencyP95Ms: 500, latencyP99Ms: 1000, errorRate: 0.01 }) }),
  checksPassRate: fraction.default(0.999).describe("share of checks (k6 check()) that must pass"),
  endpoints: z.array(endpointSchema).min(1),
  profiles: z.record(z.string(), profileSchema),
  suites: z.record(z.string(), suiteSchemaWith(anySuiteStepSchema)),
  environments: z.record(z.string(), environmentSchema),
  defaultEnvironment: z.string().default("local"),
};

/** The base config on its own; the full schema (with every kind's keys) is the registry's. */
export const baseConfigSchema = z.object(baseConfigShape).strict();
export type BaseConfig = z.infer<typeof baseConfigSchema>;
