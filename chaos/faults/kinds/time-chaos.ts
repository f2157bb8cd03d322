// TimeChaos: shifts the clocks the target processes read (needs chaos-daemon on the node).
import { z } from "zod";
import { containerNamesSchema, defined, goDurationSchema } from "../common.ts";

/** The CRD has no action field; bulwark calls its one effect `offset`. */
export const timeChaosActions = ["offset"] as const;
export type TimeChaosAction = (typeof timeChaosActions)[number];
export const clockIds = [
  "CLOCK_REALTIME", "CLOCK_MONOTONIC", "CLOCK_PROCESS_CPUTIME_ID", "CLOCK_THREAD_CPUTIME_ID", "CLOCK_MONOTONIC_RAW",
  "CLOCK_REALTIME_COARSE", "CLOCK_MONOTONIC_COARSE", "CLOCK_BOOTTIME", "CLOCK_REALTIME_ALARM", "CLOCK_BOOTTIME_ALARM",
] as const;

/** The TimeChaos fault entries, each with the `extra` fields too (an experiment adds its own, e.g. mode and value). */
export function timeChaosFaultSchemaWith<S extends z.ZodRawShape>(extra: S) {
  return z.discriminatedUnion("action", [
    z
      .object({
        ...extra,
        kind: z.literal("TimeChaos"),
        action: z.literal("offset"),
        timeOffset: goDurationSchema.describe("signed shift of the clock: \"-5m\", \"1h\""),
        clockIds: z.array(z.enum(clockIds)).min(1).optional().describe("clocks to shift (default CLOCK_REALTIME)"),
        containerNames: containerNamesSchema.optional(),
      })
      .strict(),
  ]);
}
export const timeChaosFaultSchema = timeChaosFaultSchemaWith({});
export type TimeChaosFault = z.infer<typeof timeChaosFaultSchema>;

export function timeChaosSpec(fault: TimeChaosFault): Record<string, unknown> {
  return defined({ timeOffset: fault.timeOffset, clockIds: fault.clockIds, containerNames: fault.containerNames });
}
