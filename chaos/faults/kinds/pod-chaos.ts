// PodChaos: the controller itself kills or breaks pods (no chaos-daemon needed for pod-kill / pod-failure).
import { z } from "zod";
import { containerNamesSchema } from "../common.ts";

export const podChaosActions = ["pod-kill", "pod-failure", "container-kill"] as const;
export type PodChaosAction = (typeof podChaosActions)[number];

const kind = z.literal("PodChaos");
/** The PodChaos fault entries, each with the `extra` fields too (an experiment adds its own, e.g. mode and value). */
export function podChaosFaultSchemaWith<S extends z.ZodRawShape>(extra: S) {
  return z.discriminatedUnion("action", [
    z.object({ ...extra, kind, action: z.literal("pod-kill"), gracePeriod: z.number().int().min(0).optional().describe("seconds before the pod is deleted (0: at once)") }).strict(),
    z.object({ ...extra, kind, action: z.literal("pod-failure") }).strict(),
    z.object({ ...extra, kind, action: z.literal("container-kill"), containerNames: containerNamesSchema.describe("containers to kill (Chaos Mesh requires them for container-kill)") }).strict(),
  ]);
}
export const podChaosFaultSchema = podChaosFaultSchemaWith({});
export type PodChaosFault = z.infer<typeof podChaosFaultSchema>;

export function podChaosSpec(fault: PodChaosFault): Record<string, unknown> {
  const { kind: _kind, ...fields } = fault;
  return fields;
}
