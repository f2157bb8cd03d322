import { z } from "zod";
import { parseDuration } from "../../thresholds/duration.ts";
import { durationSchema as duration, nameSchema } from "../../thresholds/schema.ts";

const sqlIdentifier = z.string().regex(/^[a-z_][a-z0-9_]*$/, "must be a lower-case SQL identifier");
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "must be an environment variable name");
const shellCommand = z.string().min(1).describe("run with `sh -c`; a non-zero exit fails the step");

/** Recovery objectives; the config's `recovery` holds the defaults, a drill may tighten or loosen them. */
export const recoveryTargetsSchema = z
  .object({
    rto: duration.default("4h").describe("recovery time objective: disaster to first verified success"),
    rpo: duration.default("15m").describe("recovery point objective: acknowledged writes that may be lost"),
  })
  .strict();
export type RecoveryTargets = z.infer<typeof recoveryTargetsSchema>;

export const availabilityProbeSchema = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("http"),
      url: z.url({ protocol: /^https?$/ }),
      intervalMs: z.number().int().positive().default(500),
      timeoutMs: z.number().int().positive().default(2000),
    })
    .strict(),
  z
    .object({
      kind: z.literal("sql"),
      query: z.string().default("SELECT true").describe("succeeds when it runs and its first value is not false, 0 or null"),
      intervalMs: z.number().int().positive().default(500),
      timeoutMs: z.number().int().positive().default(2000),
    })
    .strict(),
]);
export type AvailabilityProbeConfig = z.infer<typeof availabilityProbeSchema>;

export const writeProbeSchema = z
  .object({
    intervalMs: z.number().int().positive().default(100).describe("write cadence; also the precision of the measured RPO"),
    table: sqlIdentifier.default("bulwark_drill_ledger"),
    timeoutMs: z.number().int().positive().default(2000),
  })
  .strict();
export type WriteProbeConfig = z.infer<typeof writeProbeSchema>;

export const referenceDataSchema = z
  .object({
    rows: z.number().int().positive().max(1_000_000).default(1000),
    table: sqlIdentifier.default("bulwark_drill_reference"),
  })
  .strict();
export type ReferenceDataConfig = z.infer<typeof referenceDataSchema>;

/** A SQL data store the drill does not manage: its URL comes from an environment variable (it holds a password). */
const externalPostgresSchema = z.object({ kind: z.literal("postgres"), urlEnv: envName }).strict();

const commonFields = {
  description: z.string().default(""),
  targets: recoveryTargetsSchema.partial().default({}).describe("overrides of the config's recovery targets"),
  warmup: duration.default("3s").describe("how long the write probe runs before the disaster"),
  restoreTimeout: duration.default("30m").describe("give up waiting for the service after this long"),
  writeProbe: writeProbeSchema.optional(),
  reference: referenceDataSchema.optional(),
};

export const postgresPitrDrillSchema = z
  .object({
    kind: z.literal("postgres-pitr"),
    ...commonFields,
    writeProbe: writeProbeSchema.default(writeProbeSchema.parse({})),
    reference: referenceDataSchema.default(referenceDataSchema.parse({})),
    availabilityProbe: availabilityProbeSchema.default({ kind: "sql", query: "SELECT NOT pg_is_in_recovery()", intervalMs: 500, timeoutMs: 2000 }),
    runner: z.enum(["process", "container"]).default("process").describe("PostgreSQL 15 as local processes or in the container estate"),
    archiveTimeout: duration.default("60s").describe("archive_timeout: the longest a written WAL segment waits to be archived"),
    archiveCommand: z.string().optional().describe("archive_command; {archive} stands for the archive folder"),
    beforeRestore: shellCommand.optional().describe("runs after the disaster, before the restore (e.g. fetch the backup); sees BULWARK_DRILL_BASE_BACKUP and BULWARK_DRILL_WAL_ARCHIVE"),
  })
  .strict();

export const commandDrillSchema = z
  .object({
    kind: z.literal("command"),
    ...commonFields,
    dataStore: externalPostgresSchema.optional().describe("needed by the write probe and the reference data"),
    availabilityProbe: availabilityProbeSchema,
    commands: z
      .object({ setup: shellCommand.optional(), disaster: shellCommand, restore: shellCommand, teardown: shellCommand.optional() })
      .strict(),
    commandTimeout: duration.default("30m"),
  })
  .strict();

const kubernetesRestoreSchema = z.union([
  z
    .object({
      velero: z
        .object({
          backupName: z.string().min(1),
          namespace: z.string().default("velero").describe("namespace Velero runs in"),
          includedNamespaces: z.array(z.string()).optional(),
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      job: z
        .object({
          namespace: z.string().min(1),
          manifest: z.record(z.string(), z.unknown()).describe("a batch/v1 Job; bulwark gives it a unique name"),
        })
        .strict(),
    })
    .strict(),
]);

export const kubernetesDrillSchema = z
  .object({
    kind: z.literal("kubernetes"),
    ...commonFields,
    context: z.string().optional().describe("kubeconfig context; the current one by default"),
    dataStore: externalPostgresSchema.optional(),
    availabilityProbe: availabilityProbeSchema,
    disaster: z
      .object({
        resource: z.enum(["namespace", "statefulset", "pvc"]),
        name: z.string().min(1),
        namespace: z.string().optional().describe("required for statefulset and pvc"),
      })
      .strict()
      .refine((disaster) => disaster.resource === "namespace" || disaster.namespace !== undefined, { message: "namespace is required for statefulset and pvc", path: ["namespace"] }),
    restore: kubernetesRestoreSchema,
  })
  .strict();

export const drillSchema = z.discriminatedUnion("kind", [postgresPitrDrillSchema, commandDrillSchema, kubernetesDrillSchema]);
export type DrillDefinition = z.infer<typeof drillSchema>;
export type PostgresPitrDrill = z.infer<typeof postgresPitrDrillSchema>;
export type CommandDrill = z.infer<typeof commandDrillSchema>;
export type KubernetesDrill = z.infer<typeof kubernetesDrillSchema>;
export type DrillKind = DrillDefinition["kind"];

export const durationMs = (text: string): number => parseDuration(text) ?? 0;

/** The targets a drill is judged against: the drill's own, else the config's, else RTO 4 h and RPO 15 min. */
export function resolveTargets(drill: DrillDefinition, defaults: Partial<RecoveryTargets> = {}): { rtoMs: number; rpoMs: number } {
  const base = recoveryTargetsSchema.parse(defaults);
  return { rtoMs: durationMs(drill.targets.rto ?? base.rto), rpoMs: durationMs(drill.targets.rpo ?? base.rpo) };
}

/** The config keys the drill kind owns: the default recovery objectives and the drills by name. */
export const drillConfigShape = {
  recovery: recoveryTargetsSchema.default({ rto: "4h", rpo: "15m" }).describe("recovery objectives restore drills are judged against, unless a drill sets its own"),
  drills: z
    .record(nameSchema, drillSchema)
    .default({})
    .describe("restore drills by name (bulwark drill <name>)"),
};
export type DrillsConfig = z.infer<z.ZodObject<typeof drillConfigShape>>;

/** The drill kind's view of a config the registry validated (its schema holds the drill keys). */
export const withDrills = <Config extends object>(config: Config): Config & DrillsConfig => config as Config & DrillsConfig;
