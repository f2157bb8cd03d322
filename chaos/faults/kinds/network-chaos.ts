// NetworkChaos: tc/netem and iptables in the target pods' network namespace (needs chaos-daemon on the node).
import { z } from "zod";
import { defined, delaySchema, modeValueProblem, percentStringSchema, podSelectorSchema, selectorModeSchema } from "../common.ts";

/** The CRD's enum also has `netem` (several at once); bulwark builds the single-effect actions. */
export const networkChaosActions = ["delay", "loss", "duplicate", "corrupt", "partition", "bandwidth"] as const;
export type NetworkChaosAction = (typeof networkChaosActions)[number];
export const networkDirections = ["to", "from", "both"] as const;
export type NetworkDirection = (typeof networkDirections)[number];

/** The other side of the traffic: pods picked like the fault's own (namespaces explicit). */
export const networkTargetSchema = z
  .object({ selector: podSelectorSchema, mode: selectorModeSchema, value: z.number().optional() })
  .strict()
  .superRefine((target, context) => {
    const problem = modeValueProblem(target.mode, target.value);
    if (problem) context.addIssue({ code: "custom", path: ["value"], message: problem });
  });
export type NetworkTarget = z.infer<typeof networkTargetSchema>;

const kind = z.literal("NetworkChaos");
const common = {
  kind,
  direction: z.enum(networkDirections).optional().describe("to (default), from or both; from/both need a target"),
  target: networkTargetSchema.optional(),
  externalTargets: z.array(z.string().min(1)).min(1).optional().describe("hosts or CIDRs outside the cluster"),
  device: z.string().min(1).optional(),
  targetDevice: z.string().min(1).optional(),
};
const correlation = percentStringSchema.optional();

interface DirectionFields {
  action: NetworkChaosAction;
  direction?: NetworkDirection | undefined;
  target?: unknown;
  externalTargets?: unknown;
}

function directionProblems(fault: DirectionFields, context: { addIssue(issue: { code: "custom"; path: string[]; message: string }): void }): void {
  // The same rules Chaos Mesh's webhook applies to every action but partition.
  if (fault.action === "partition" || fault.direction === undefined || fault.direction === "to") return;
  if (fault.externalTargets) context.addIssue({ code: "custom", path: ["direction"], message: `externalTargets cannot be used with direction "${fault.direction}" (only "to")` });
  if (!fault.target) context.addIssue({ code: "custom", path: ["direction"], message: `direction "${fault.direction}" needs a target` });
}

/** The NetworkChaos fault entries, each with the `extra` fields too (an experiment adds its own, e.g. mode and value). */
export function networkChaosFaultSchemaWith<S extends z.ZodRawShape>(extra: S) {
  return z
    .discriminatedUnion("action", [
      z.object({ ...extra, ...common, action: z.literal("delay"), latency: delaySchema, jitter: delaySchema.optional(), correlation, reorder: z.object({ reorder: percentStringSchema, correlation, gap: z.number().int().min(0) }).strict().optional() }).strict(),
      z.object({ ...extra, ...common, action: z.literal("loss"), loss: percentStringSchema, correlation }).strict(),
      z.object({ ...extra, ...common, action: z.literal("duplicate"), duplicate: percentStringSchema, correlation }).strict(),
      z.object({ ...extra, ...common, action: z.literal("corrupt"), corrupt: percentStringSchema, correlation }).strict(),
      z.object({ ...extra, ...common, action: z.literal("partition") }).strict(),
      z
        .object({
          ...extra,
          ...common,
          action: z.literal("bandwidth"),
          rate: z.string().regex(/^\s*\d+\s*(?:bit|kbit|mbit|gbit|tbit|bps|kbps|mbps|gbps|tbps)\s*$/i, { message: 'expected a rate such as "1mbps" or "100kbit"' }),
          limit: z.number().int().min(1),
          buffer: z.number().int().min(1),
          peakrate: z.number().int().min(0).optional(),
          minburst: z.number().int().min(0).optional(),
        })
        .strict(),
    ])
    // the generic extra fields hide from TypeScript that every entry has these fields
    .superRefine((fault, context) => directionProblems(fault as unknown as DirectionFields, context));
}
export const networkChaosFaultSchema = networkChaosFaultSchemaWith({});
export type NetworkChaosFault = z.infer<typeof networkChaosFaultSchema>;

export function networkChaosSpec(fault: NetworkChaosFault): Record<string, unknown> {
  const shared = {
    ...(fault.direction ? { direction: fault.direction } : {}),
    ...(fault.target ? { target: { selector: fault.target.selector, mode: fault.target.mode, ...(fault.target.value !== undefined ? { value: String(fault.target.value) } : {}) } } : {}),
    ...(fault.externalTargets ? { externalTargets: fault.externalTargets } : {}),
    ...(fault.device ? { device: fault.device } : {}),
    ...(fault.targetDevice ? { targetDevice: fault.targetDevice } : {}),
  };
  switch (fault.action) {
    case "delay":
      return { action: "delay", ...shared, delay: defined({ latency: fault.latency, jitter: fault.jitter, correlation: fault.correlation, reorder: fault.reorder && defined(fault.reorder) }) };
    case "loss":
      return { action: "loss", ...shared, loss: defined({ loss: fault.loss, correlation: fault.correlation }) };
    case "duplicate":
      return { action: "duplicate", ...shared, duplicate: defined({ duplicate: fault.duplicate, correlation: fault.correlation }) };
    case "corrupt":
      return { action: "corrupt", ...shared, corrupt: defined({ corrupt: fault.corrupt, correlation: fault.correlation }) };
    case "partition":
      return { action: "partition", ...shared };
    case "bandwidth":
      return { action: "bandwidth", ...shared, bandwidth: defined({ rate: fault.rate, limit: fault.limit, buffer: fault.buffer, peakrate: fault.peakrate, minburst: fault.minburst }) };
  }
}
