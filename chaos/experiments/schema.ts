// A chaos experiment as data: what it aims at, the load that runs throughout, the steady-state
// hypothesis (probes with tolerances), the method (faults with durations), what is expected of each
// phase of the load, rollbacks and a hard safety limit. One file each in the project's experimentsDir,
// or inline under `experiments` in the config.
import { z } from "zod";
import { parseDuration } from "../../thresholds/duration.ts";
import { durationSchema, nameSchema } from "../../thresholds/schema.ts";
import { modeValueProblem, selectorModeSchema } from "../faults/common.ts";
import { faultSchema } from "../faults/schema.ts";

const labelSelector = z
  .record(z.string().min(1), z.string())
  .refine((labels) => Object.keys(labels).length > 0, "must name at least one label (an empty selector would match every pod of the namespace)")
  .describe("label selector: the pods that must carry every one of these labels");

export const experimentTargetSchema = z
  .object({
    namespace: nameSchema.describe("namespace of the target; must be in the environment's kubernetes.chaosNamespaces"),
    selector: labelSelector,
    deployment: nameSchema.optional().describe("the Deployment those pods belong to (k8s probes default to it)"),
  })
  .strict();

const probeCommon = {
  name: nameSchema.describe("the probe's name in checks, the journal and JUnit"),
  during: z.enum(["must-hold", "may-deviate"]).default("must-hold").describe("must-hold: a deviation while a fault is in fails the probe; may-deviate: only before and after count"),
};

export const httpProbeSchema = z
  .object({
    type: z.literal("http"),
    ...probeCommon,
    path: z.string().startsWith("/", "must start with /").default("/health").describe("requested on the target's base URL (loopback only)"),
    timeoutMs: z.number().int().positive().max(60_000).default(2000),
    tolerance: z
      .object({
        status: z.number().int().min(100).max(599).default(200).describe("the status a good answer has"),
        maxLatencyMs: z.number().positive().max(60_000).optional().describe("the answer must come within this"),
      })
      .strict()
      .default({ status: 200 }),
  })
  .strict();

export const k8sProbeSchema = z
  .object({
    type: z.literal("k8s"),
    ...probeCommon,
    check: z.enum(["deployment-available", "pods-ready"]).describe("deployment-available: the Deployment's available replicas; pods-ready: Ready pods matching the target's selector"),
    deployment: nameSchema.optional().describe("for deployment-available; default: target.deployment"),
    tolerance: z
      .object({ min: z.number().int().min(0).describe("at least this many"), max: z.number().int().min(0).optional().describe("at most this many") })
      .strict(),
  })
  .strict();

export const comparators = ["<", "<=", ">", ">=", "==", "!="] as const;
export type Comparator = (typeof comparators)[number];

export const prometheusProbeSchema = z
  .object({
    type: z.literal("prometheus"),
    ...probeCommon,
    query: z.string().min(1).describe("PromQL instant query; its first sample's value is compared"),
    tolerance: z.object({ comparator: z.enum(comparators), value: z.number() }).strict(),
    noData: z.enum(["fail", "pass"]).default("fail").describe("what an empty result counts as"),
  })
  .strict();

export const probeSchema = z.discriminatedUnion("type", [httpProbeSchema, k8sProbeSchema, prometheusProbeSchema]);
export type ProbeDefinition = z.infer<typeof probeSchema>;
export type HttpProbeDefinition = z.infer<typeof httpProbeSchema>;
export type K8sProbeDefinition = z.infer<typeof k8sProbeSchema>;
export type PrometheusProbeDefinition = z.infer<typeof prometheusProbeSchema>;

export const demoFaultSettingSchema = z
  .object({
    latencyMs: z.number().min(0).max(60_000).default(0).describe("added to every /api request of the demo target"),
    errorRate: z.number().min(0).max(1).default(0).describe("share of /api requests answered 500"),
  })
  .strict()
  .refine((setting) => setting.latencyMs > 0 || setting.errorRate > 0, "must set latencyMs or errorRate (a demo fault that changes nothing proves nothing)");

/** One fault of the method: a Chaos Mesh fault from the faults library, or the local-only demo-fault action. */
export const methodFaultSchema = z
  .object({
    name: nameSchema.describe("the fault's name: its phase is fault:<name>"),
    duration: durationSchema.describe("how long the fault stays in; the Chaos Mesh object carries it too, so the cluster recovers by itself"),
    fault: faultSchema.optional().describe("a Chaos Mesh fault (docs/chaos.md, faults library); the target's namespace and selector are filled in"),
    mode: selectorModeSchema.default("one").describe("which of the target's pods the fault selects (Chaos Mesh's mode)"),
    value: z.number().optional().describe("pods for mode fixed, percent for fixed-percent and random-max-percent"),
    demoFault: demoFaultSettingSchema.optional().describe("local only: switch the demo target's latency/errors on for the duration"),
  })
  .strict()
  .superRefine((entry, context) => {
    if ((entry.fault === undefined) === (entry.demoFault === undefined)) context.addIssue({ code: "custom", path: [], message: "must have exactly one of fault and demoFault" });
    const problem = entry.fault ? modeValueProblem(entry.mode, entry.value) : undefined;
    if (problem) context.addIssue({ code: "custom", path: ["value"], message: problem });
  });
export type MethodFault = z.infer<typeof methodFaultSchema>;

export const methodSchema = z
  .object({
    before: durationSchema.default("3s").describe("steady load before the first fault (the 'before' phase)"),
    faults: z.array(methodFaultSchema).min(1),
    parallel: z.boolean().default(false).describe("inject every fault at once (one fault phase) instead of one after the other"),
    after: durationSchema.default("3s").describe("load after recovery (the 'after' phase)"),
  })
  .strict();

export const phaseExpectationSchema = z
  .object({
    phase: z.string().min(1).describe("before, fault (every fault phase), fault:<name>, recovery, after"),
    endpoint: nameSchema.optional(),
    latencyP95Ms: z.number().positive().max(3_600_000).optional(),
    errorRate: z.number().min(0).max(1).optional(),
  })
  .strict()
  .refine((expectation) => expectation.latencyP95Ms !== undefined || expectation.errorRate !== undefined, "must set latencyP95Ms or errorRate");

export const expectationsSchema = z
  .object({
    phases: z.array(phaseExpectationSchema).default([]),
    recoveryTime: durationSchema.default("30s").describe("from the fault's removal until the hypothesis holds again (pod-kill: the replacement pod Ready)"),
  })
  .strict();

export const rollbackSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("scale-deployment"), deployment: nameSchema, replicas: z.number().int().min(0).max(1000) }).strict(),
  z.object({ type: z.literal("restart-deployment"), deployment: nameSchema }).strict(),
  z.object({ type: z.literal("demo-fault-off") }).strict(),
]);
export type RollbackDefinition = z.infer<typeof rollbackSchema>;

export const safetySchema = z
  .object({
    maxErrorRate: z.number().min(0).max(1).default(0.5).describe("error rate of the load while a fault is in above which every fault is removed at once"),
    window: durationSchema.default("3s").describe("the recent window of requests the error rate is taken over"),
    minRequests: z.number().int().min(1).default(10).describe("no decision on fewer requests than this"),
  })
  .strict();

export const experimentSchema = z
  .object({
    title: z.string().min(1),
    description: z.string().default(""),
    target: experimentTargetSchema,
    load: z.object({ scenario: z.string().min(1), profile: z.string().min(1) }).strict().describe("runs for the whole experiment; its profile must last at least before + faults + after"),
    hypothesis: z
      .object({
        interval: durationSchema.default("1s").describe("probes are taken this often, from before the first fault to the end"),
        probes: z.array(probeSchema).min(1),
      })
      .strict(),
    method: methodSchema,
    expectations: expectationsSchema.default({ phases: [], recoveryTime: "30s" }),
    rollbacks: z.array(rollbackSchema).default([]).describe("run at the end whatever happened, after the faults are removed"),
    safety: safetySchema.default({ maxErrorRate: 0.5, window: "3s", minRequests: 10 }),
    injectionDeadline: durationSchema.default("30s").describe("a fault not shown as injected by then 'never took effect'"),
  })
  .strict()
  .superRefine((experiment, context) => {
    const names = new Set<string>();
    experiment.method.faults.forEach((fault, index) => {
      if (names.has(fault.name)) context.addIssue({ code: "custom", path: ["method", "faults", index, "name"], message: `duplicate fault name '${fault.name}'` });
      names.add(fault.name);
    });
    const probes = new Set<string>();
    experiment.hypothesis.probes.forEach((probe, index) => {
      if (probes.has(probe.name)) context.addIssue({ code: "custom", path: ["hypothesis", "probes", index, "name"], message: `duplicate probe name '${probe.name}'` });
      probes.add(probe.name);
      if (probe.type === "k8s" && probe.check === "deployment-available" && !probe.deployment && !experiment.target.deployment) {
        context.addIssue({ code: "custom", path: ["hypothesis", "probes", index, "deployment"], message: "deployment-available needs a deployment (here or in target.deployment)" });
      }
    });
    const phaseNames = new Set(["before", "fault", "recovery", "after", ...experiment.method.faults.map((fault) => faultPhaseName(fault.name))]);
    if (experiment.method.parallel) phaseNames.add(faultPhaseName(parallelPhaseName(experiment.method.faults)));
    experiment.expectations.phases.forEach((expectation, index) => {
      if (!phaseNames.has(expectation.phase)) context.addIssue({ code: "custom", path: ["expectations", "phases", index, "phase"], message: `unknown phase '${expectation.phase}' (known: ${[...phaseNames].join(", ")})` });
    });
  });
export type Experiment = z.infer<typeof experimentSchema>;

export const faultPhaseName = (faultName: string): string => `fault:${faultName}`;
/** Parallel faults form one phase named after all of them. */
export const parallelPhaseName = (faults: readonly { name: string }[]): string => faults.map((fault) => fault.name).join("+");

const ms = (text: string): number => parseDuration(text) ?? 0;

/** How long the method keeps faults in, in ms: the longest for parallel faults, the sum in sequence. */
export function methodFaultMs(experiment: Experiment): number {
  const durations = experiment.method.faults.map((fault) => ms(fault.duration));
  return experiment.method.parallel ? Math.max(...durations) : durations.reduce((sum, value) => sum + value, 0);
}

/** The least load an experiment needs: before + faults + after (recovery comes out of `after`). */
export const minimumLoadMs = (experiment: Experiment): number => ms(experiment.method.before) + methodFaultMs(experiment) + ms(experiment.method.after);

export const durationMs = ms;

/** Config keys of the chaos kind. */
export const experimentsConfigShape = {
  experimentsDir: z.string().min(1).default("experiments").describe("folder of the project's chaos experiments (one <name>.json each), relative to the config file"),
  experiments: z.record(nameSchema, experimentSchema).default({}).describe("chaos experiments written inline (docs/chaos.md); the files in experimentsDir have the same shape"),
};
