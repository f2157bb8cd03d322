import { z } from "zod";
import { parseDuration } from "./duration.ts";
import { regressionPolicySchema } from "./regression-policy.ts";

/**
 * The one pattern for names (suites, scenarios, endpoints, environments, profiles, drills): lower-case
 * ASCII letters, digits and dashes, starting with a letter or digit, at most 63 characters. Names become
 * run ids, file names and metric tags, so nothing else is safe everywhere (docs/configuration.md).
 */
export const namePattern = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const nameRule = "must be lower-case ASCII letters, digits and dashes, starting with a letter or digit, at most 63 characters";
export const nameSchema = z.string().regex(namePattern, nameRule);

/** The longest duration a config may ask for: longer loads belong to a scheduler, not one process. */
export const longestDurationMs = 7 * 24 * 3_600_000;

/** A duration string ("500ms", "30s", "2m", "1h30m"), strictly positive, at most 7 days; surrounding spaces are trimmed. */
export const durationSchema = z
  .string()
  .trim()
  .describe('duration such as "500ms", "30s", "15m" or "4h"')
  .superRefine((text, context) => {
    const ms = parseDuration(text);
    const problem =
      ms === null ? 'must be a duration such as "30s", "2m" or "1h30m"' : ms <= 0 ? "must be greater than zero" : ms > longestDurationMs ? "must be at most 7 days (168h): longer loads belong to a scheduler" : undefined;
    if (problem) context.addIssue({ code: "custom", message: `invalid duration ${JSON.stringify(text)}: ${problem}`, input: text });
  });

/** Latency limits above an hour are timeouts, not latencies: almost certainly a unit mistake (seconds for ms). */
const positiveMs = z.number().positive().max(3_600_000, "must be at most 3600000 ms (1 h): a longer limit is a timeout, not a latency");
/** One engine process schedules at most this many iterations per second. */
const arrivalRate = z.number().max(1_000_000, "must be at most 1000000 iterations/s: one load engine process cannot start more");
const fraction = z.number().min(0).max(1);

const sloFields = {
  latencyP95Ms: positiveMs.describe("95th percentile of request duration must stay below this (ms)"),
  latencyP99Ms: positiveMs.describe("99th percentile of request duration must stay below this (ms)"),
  errorRate: fraction.describe("share of failed requests must stay below this (0.001 = 99.9 % availability); 0 means no failed request at all"),
};

/** Service level objectives for one endpoint; every field has the production-readiness default. */
export const sloSchema = z
  .object({
    latencyP95Ms: sloFields.latencyP95Ms.default(200),
    latencyP99Ms: sloFields.latencyP99Ms.default(500),
    errorRate: sloFields.errorRate.default(0.001),
  })
  .strict();
/** Overrides of an SLO: only the fields written (sloSchema.partial() would fill the others with the defaults). */
export const sloOverrideSchema = z.object(sloFields).partial().strict();
export type Slo = z.infer<typeof sloSchema>;

export const criticalitySchema = z.enum(["critical", "standard"]);
export type Criticality = z.infer<typeof criticalitySchema>;

export const endpointSchema = z
  .object({
    name: nameSchema.describe("tag value used in metrics and reports"),
    method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).default("GET"),
    path: z.string().startsWith("/", "must start with /").describe("path template; {id} marks a variable part"),
    criticality: criticalitySchema.default("standard"),
    slo: sloOverrideSchema.optional().describe("overrides of the SLO of this endpoint's criticality"),
    example: z
      .object({
        params: z.record(z.string(), z.union([z.string(), z.number()])).optional().describe("values for the path template's {placeholders}"),
        body: z.unknown().optional().describe("JSON body sent with the request"),
        status: z.number().int().min(100).max(599).optional().describe("the status a good answer has (default: 201 for POST, else 200)"),
      })
      .strict()
      .optional()
      .describe("an example request: the built-in `endpoints` scenario calls the endpoint with it"),
  })
  .strict();
export type EndpointConfig = z.infer<typeof endpointSchema>;

const vusSchema = {
  preAllocatedVUs: z.number().int().positive().optional().describe("VUs allocated before the test starts; default: sized by Little's law (arrival rate x SLO latency)"),
  maxVUs: z.number().int().positive().optional().describe("upper bound of VUs the engine may allocate to keep the arrival rate; default: Little's law with headroom (docs/load-gate.md)"),
  maxDroppedIterations: z.number().int().min(0).default(0).describe("iterations the generator may drop before the step is invalid (load generator saturated, exit 3)"),
};

const stageSchema = z.object({ target: arrivalRate.min(0).describe("arrival rate (iterations/s) at the end of the stage"), duration: durationSchema }).strict();

/** Open-model load shapes: arrival-rate executors, so a slow service cannot hide behind coordinated omission. */
export const profileSchema = z.discriminatedUnion("executor", [
  z
    .object({
      executor: z.literal("constant-arrival-rate"),
      ratePerSecond: arrivalRate.positive().describe("iterations started per second"),
      duration: durationSchema,
      ...vusSchema,
      abortOnFail: z.boolean().default(false),
    })
    .strict(),
  z
    .object({
      executor: z.literal("ramping-arrival-rate"),
      startRate: arrivalRate.min(0).default(0),
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

/** The cluster of an environment: the local test cluster, or a kubeconfig (path relative to the config file). */
export const kubernetesTargetSchema = z
  .object({
    local: z.boolean().default(false).describe("the local test cluster started by `bulwark local up --cluster`"),
    kubeconfig: z.string().min(1).optional().describe("kubeconfig file, relative to the config file; default $KUBECONFIG, then ~/.kube/config"),
    context: z.string().min(1).optional().describe("kubeconfig context; default its current context"),
    chaosNamespaces: z.array(nameSchema).default([]).describe("the only namespaces chaos experiments may touch (allow-list)"),
    maxBlastRadius: fraction.default(0.5).describe("largest share of an experiment's matching pods a fault may touch"),
  })
  .strict()
  .superRefine((target, context) => {
    if (target.local && target.kubeconfig !== undefined) context.addIssue({ code: "custom", path: ["kubeconfig"], message: "only without local: true (the local test cluster has its own kubeconfig)" });
  });
export type KubernetesTarget = z.infer<typeof kubernetesTargetSchema>;

/** An http(s) URL of a monitoring API: no user:password (fetch refuses them, and messages would print them). */
const monitoringUrl = z
  .url({ protocol: /^https?$/ })
  .refine((text) => !/^[a-z]+:\/\/[^/?#]*@/i.test(text), "must not carry credentials (user:password@); put the API behind a loopback proxy that adds them");

/** Prometheus and Alertmanager of an environment: the local monitoring estate, or URLs. */
export const monitoringTargetSchema = z
  .object({
    local: z.boolean().default(false).describe("the Prometheus and Alertmanager started by `bulwark local up --monitoring`"),
    prometheusUrl: monitoringUrl.optional(),
    alertmanagerUrl: monitoringUrl.optional(),
  })
  .strict()
  .superRefine((target, context) => {
    for (const key of ["prometheusUrl", "alertmanagerUrl"] as const) {
      if (target.local && target[key] !== undefined) context.addIssue({ code: "custom", path: [key], message: "only without local: true (the local monitoring estate has its own URLs)" });
    }
  });
export type MonitoringTarget = z.infer<typeof monitoringTargetSchema>;

export const environmentSchema = z
  .object({
    description: z.string().default(""),
    demo: z.boolean().default(false).describe("start the embedded demo target on 127.0.0.1 and aim at it"),
    baseUrl: z.url({ protocol: /^https?$/ }).optional().describe("base URL of the service under test (not needed when demo is true)"),
    healthPath: z
      .union([z.string().startsWith("/"), z.literal(false), z.null()])
      .default("/health")
      .describe("checked before any load (GET, must answer 200); null or false: no health check"),
    auth: z
      .object({ bearerTokenEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "must be an environment variable name") })
      .strict()
      .optional()
      .describe("bearer token read from the named environment variable; never printed or written to a report"),
    profiles: z.record(nameSchema, z.record(z.string(), z.unknown())).default({}).describe("per-profile overrides for this environment"),
    suites: z.record(nameSchema, z.object({ profile: z.string().min(1) }).strict()).default({}).describe("profile each suite uses here"),
    slo: z.record(nameSchema, sloOverrideSchema).default({}).describe("per-endpoint SLO overrides for this environment"),
    allowChaos: z.boolean().default(false).describe("chaos experiments may run here (only in kubernetes.chaosNamespaces)"),
    production: z.boolean().default(false).describe("a production environment: chaos and rollout checks additionally need --confirm-production <environment>"),
    kubernetes: kubernetesTargetSchema.optional().describe("the cluster chaos, scaling and rollout checks talk to"),
    monitoring: monitoringTargetSchema.optional().describe("where alert checks and prometheus probes read alerts and metrics"),
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
  profiles: z.record(nameSchema, profileSchema),
  suites: z.record(nameSchema, suiteSchemaWith(anySuiteStepSchema)),
  environments: z.record(nameSchema, environmentSchema),
  defaultEnvironment: nameSchema.default("local"),
};

/** The base config on its own; the full schema (with every kind's keys) is the registry's. */
export const baseConfigSchema = z.object(baseConfigShape).strict();
export type BaseConfig = z.infer<typeof baseConfigSchema>;
