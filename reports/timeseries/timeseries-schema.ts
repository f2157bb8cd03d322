import { z } from "zod";

export const timeSeriesSchemaVersion = 1;

const valueOrGap = z.number().nullable();

/** One series of per-second values; every array is aligned with `TimeSeries.time`. */
export const seriesSchema = z.object({
  requests: z.array(z.number()).describe("requests that finished in that second"),
  failures: z.array(z.number()).describe("of those, requests k6 counted as failed (http_req_failed)"),
  latencyMs: z.object({
    p50: z.array(valueOrGap),
    p90: z.array(valueOrGap),
    p95: z.array(valueOrGap),
    p99: z.array(valueOrGap),
    max: z.array(valueOrGap),
  }),
});
export type Series = z.infer<typeof seriesSchema>;

export const timeSeriesSchema = z.object({
  schemaVersion: z.literal(timeSeriesSchemaVersion),
  intervalSeconds: z.literal(1),
  time: z.array(z.number().int()).describe("start of each second, as Unix seconds"),
  overall: seriesSchema.extend({
    vus: z.array(valueOrGap).describe("highest VU count reported in that second"),
    droppedIterations: z.array(z.number()),
  }),
  endpoints: z.array(seriesSchema.extend({ name: z.string() })).describe("one entry per value of the endpoint tag, sorted by name"),
  samples: z.object({
    processed: z.number().int().describe("k6 Point lines read"),
    malformed: z.number().int().describe("lines that were neither a Point nor a Metric declaration"),
    late: z.number().int().describe("latency samples that arrived after their second was closed (counted, not in percentiles)"),
  }),
});
export type TimeSeries = z.infer<typeof timeSeriesSchema>;
