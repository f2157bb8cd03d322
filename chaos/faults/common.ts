// What every Chaos Mesh fault kind shares (chaos-mesh.org/v1alpha1): selector modes, durations, labels,
// status conditions. The literal unions mirror the enums of the CRDs the local cluster installs.
import { z } from "zod";

export const chaosGroup = "chaos-mesh.org";
export const chaosVersion = "v1alpha1";
export const chaosApiVersion = `${chaosGroup}/${chaosVersion}` as const;

/** The kinds bulwark builds, with the plural of their CRD (the REST resource name). */
export const chaosKinds = {
  PodChaos: "podchaos",
  NetworkChaos: "networkchaos",
  StressChaos: "stresschaos",
  HTTPChaos: "httpchaos",
  IOChaos: "iochaos",
  TimeChaos: "timechaos",
  DNSChaos: "dnschaos",
} as const;
export type ChaosKind = keyof typeof chaosKinds;
export const chaosKindNames = Object.keys(chaosKinds) as ChaosKind[];

/** Every object bulwark creates carries this label, so `chaos sweep` can find leftovers. */
export const managedByLabel = { "app.kubernetes.io/managed-by": "bulwark" } as const;
export const runIdLabel = "bulwark.dev/run-id";
export const experimentLabel = "bulwark.dev/experiment";
/** Chaos Mesh's documented annotation that makes its controller drop the finalizers of a deleted object. */
export const forcedCleanAnnotation = { "chaos-mesh.chaos-mesh.org/cleanFinalizer": "forced" } as const;

export const selectorModes = ["one", "all", "fixed", "fixed-percent", "random-max-percent"] as const;
export type SelectorMode = (typeof selectorModes)[number];
export const selectorModeSchema = z.enum(selectorModes);

/** Condition types Chaos Mesh reports in status.conditions. */
export type ChaosConditionType = "Selected" | "AllInjected" | "AllRecovered" | "Paused";

// Go's time.ParseDuration grammar, which Chaos Mesh's webhook applies: "300ms", "1m30s", "-1.5h".
const goDurationPattern = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/;
const unitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a Go duration string ("1m30s" -> 90000), undefined when it is not one. "0" is zero. */
export function parseGoDuration(text: string): number | undefined {
  if (text === "0") return 0;
  if (!goDurationPattern.test(text)) return undefined;
  const sign = text.startsWith("-") ? -1 : 1;
  let total = 0;
  for (const match of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) total += Number(match[1]) * unitMs[match[2]!]!;
  return sign * total;
}

/** A signed Go duration, as Chaos Mesh's time offsets take: "-5m", "1h30m". */
export const goDurationSchema = z.string().refine((text) => parseGoDuration(text) !== undefined, { message: 'expected a Go duration such as "300ms", "30s" or "1m30s"' });
/** A duration after which Chaos Mesh recovers by itself: positive, "30s", "5m". */
export const chaosDurationSchema = z.string().refine((text) => (parseGoDuration(text) ?? 0) > 0, { message: 'expected a positive duration such as "30s" or "5m"' });
/** A non-negative delay such as the CRDs' latency pattern accepts: "100ms", "1.5s". */
export const delaySchema = z.string().regex(/^[0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h)$/, { message: 'expected a delay such as "100ms" or "1.5s"' });
/** A percentage or probability in Chaos Mesh's string form ("25", "0.5"), 0 to 100. */
export const percentStringSchema = z
  .union([z.string(), z.number()])
  .transform((value) => String(value))
  .refine((text) => text.trim() !== "" && Number.isFinite(Number(text)) && Number(text) >= 0 && Number(text) <= 100, { message: "expected a percentage from 0 to 100" });

/** Which pods a fault touches: `mode` and its `value` exactly as Chaos Mesh reads them. */
export function modeValueProblem(mode: SelectorMode, value: number | undefined): string | undefined {
  if (mode === "one" || mode === "all") return value === undefined ? undefined : `value is not used with mode "${mode}"; remove it`;
  if (value === undefined) return `mode "${mode}" needs a value`;
  if (!Number.isInteger(value)) return `value must be a whole number with mode "${mode}"`;
  if (mode === "fixed") return value > 0 ? undefined : `value must be greater than 0 with mode "fixed" (a number of pods)`;
  return value > 0 && value <= 100 ? undefined : `value must be in (0, 100] with mode "${mode}" (a percentage of pods)`;
}

/** `mode` and `value` as an experiment file writes them; the problem is reported on `value`. */
export const targetingSchema = z
  .object({ mode: selectorModeSchema, value: z.number().optional() })
  .superRefine((targeting, context) => {
    const problem = modeValueProblem(targeting.mode, targeting.value);
    if (problem) context.addIssue({ code: "custom", path: ["value"], message: problem });
  });
export type Targeting = z.infer<typeof targetingSchema>;

export const labelValuePattern = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
export const dnsLabelPattern = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const namespaceSchema = z.string().regex(dnsLabelPattern, { message: "expected a namespace name (lowercase letters, digits, '-')" });

/** Pods a fault (or a NetworkChaos target) selects; `namespaces` is always explicit, never defaulted. */
export const podSelectorSchema = z
  .object({
    namespaces: z.array(namespaceSchema).min(1, { message: "name at least one namespace explicitly" }),
    labelSelectors: z.record(z.string(), z.string()).optional(),
  })
  .strict();
export type PodSelector = z.infer<typeof podSelectorSchema>;

export const containerNamesSchema = z.array(z.string().min(1)).min(1);

export interface ChaosCondition {
  type: ChaosConditionType | string;
  status: "True" | "False" | "Unknown";
  reason?: string;
}

export interface ChaosRecordEvent {
  type: "Succeeded" | "Failed" | string;
  operation: "Apply" | "Recover" | string;
  message?: string;
  timestamp?: string;
}

/** One selected target (a pod or container) as status.experiment.containerRecords lists it. */
export interface ChaosRecord {
  id: string;
  selectorKey?: string;
  phase: "Injected" | "Not Injected" | string;
  injectedCount?: number;
  recoveredCount?: number;
  events?: ChaosRecordEvent[];
}

export interface ChaosStatus {
  conditions?: ChaosCondition[];
  experiment?: { desiredPhase?: "Run" | "Stop" | string; containerRecords?: ChaosRecord[] };
}

export interface ChaosMetadata {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
}

/** The spec fields every kind shares; each kind adds its own. */
export interface ChaosSpecBase {
  mode: SelectorMode;
  value?: string;
  selector: PodSelector;
  /** Chaos Mesh ends the experiment (and recovers) after this, even if bulwark is gone. */
  duration: string;
  containerNames?: string[];
}

/** A Chaos Mesh object as bulwark builds and reads it. */
export interface ChaosObject<K extends ChaosKind = ChaosKind> {
  apiVersion: typeof chaosApiVersion;
  kind: K;
  metadata: ChaosMetadata;
  spec: ChaosSpecBase & Record<string, unknown>;
  status?: ChaosStatus;
}

/** Enough to address one object: its kind, namespace and name (a ChaosObject is one). */
export interface ChaosRef {
  kind: ChaosKind;
  metadata: { namespace: string; name: string };
}

export function chaosRef(kind: ChaosKind, namespace: string, name: string): ChaosRef {
  return { kind, metadata: { namespace, name } };
}

export function describeRef(ref: ChaosRef): string {
  return `${ref.kind} ${ref.metadata.namespace}/${ref.metadata.name}`;
}

/** The fields whose value is not undefined: a manifest carries only what was set. */
export function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

export function conditionIsTrue(object: { status?: ChaosStatus }, type: ChaosConditionType): boolean {
  return object.status?.conditions?.some((condition) => condition.type === type && condition.status === "True") ?? false;
}
