// StressChaos: stress-ng workers inside the target containers (needs chaos-daemon on the node).
import { z } from "zod";
import { containerNamesSchema, defined } from "../common.ts";

/** bulwark's actions name the CRD's stressors (spec.stressors.cpu / spec.stressors.memory). */
export const stressChaosActions = ["cpu", "memory"] as const;
export type StressChaosAction = (typeof stressChaosActions)[number];

const kind = z.literal("StressChaos");
const workers = z.number().int().min(1).max(8192).describe("stress-ng workers");
const options = z.array(z.string().min(1)).optional().describe("extra stress-ng options");
/** Chaos Mesh's Bytes: a size ("256MB", "1GiB") or a share of memory ("50%"). */
const memorySize = z.string().regex(/^(?:(?:100|[1-9]?\d)%|\d+(?:\.\d+)?\s*(?:[kKmMgGtTpPeE](?:i?[bB])?|[bB])?)$/, { message: 'expected a size such as "256MB" or "50%"' });

/** The StressChaos fault entries, each with the `extra` fields too (an experiment adds its own, e.g. mode and value). */
export function stressChaosFaultSchemaWith<S extends z.ZodRawShape>(extra: S) {
  return z.discriminatedUnion("action", [
    z.object({ ...extra, kind, action: z.literal("cpu"), workers, load: z.number().int().min(0).max(100).optional().describe("percent of a CPU each worker uses"), options, containerNames: containerNamesSchema.optional() }).strict(),
    z.object({ ...extra, kind, action: z.literal("memory"), workers, size: memorySize.optional(), oomScoreAdj: z.number().int().min(-1000).max(1000).optional(), options, containerNames: containerNamesSchema.optional() }).strict(),
  ]);
}
export const stressChaosFaultSchema = stressChaosFaultSchemaWith({});
export type StressChaosFault = z.infer<typeof stressChaosFaultSchema>;

export function stressChaosSpec(fault: StressChaosFault): Record<string, unknown> {
  const containers = fault.containerNames ? { containerNames: fault.containerNames } : {};
  if (fault.action === "cpu") return { ...containers, stressors: { cpu: defined({ workers: fault.workers, load: fault.load, options: fault.options }) } };
  return { ...containers, stressors: { memory: defined({ workers: fault.workers, size: fault.size, oomScoreAdj: fault.oomScoreAdj, options: fault.options }) } };
}
