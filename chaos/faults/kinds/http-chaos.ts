// HTTPChaos: a proxy in the target pods intercepts HTTP on one port (needs chaos-daemon on the node).
import { z } from "zod";
import { defined, goDurationSchema } from "../common.ts";

/** The CRD has no action field: bulwark's action says which of its abort / delay / replace / patch is set. */
export const httpChaosActions = ["abort", "delay", "replace", "patch"] as const;
export type HTTPChaosAction = (typeof httpChaosActions)[number];
export const httpChaosTargets = ["Request", "Response"] as const;
export type HTTPChaosTarget = (typeof httpChaosTargets)[number];
/** The methods Chaos Mesh's webhook accepts. */
export const httpMethods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT"] as const;

const kind = z.literal("HTTPChaos");
const common = {
  kind,
  target: z.enum(httpChaosTargets).describe("Request or Response"),
  port: z.number().int().min(1).max(65535).describe("the container port whose HTTP traffic is intercepted"),
  path: z.string().min(1).optional().describe("URI path to match, wildcards allowed: /api/*"),
  method: z.enum(httpMethods).optional(),
  code: z.number().int().min(100).max(599).optional().describe("response status to match (target Response)"),
  request_headers: z.record(z.string(), z.string()).optional(),
  response_headers: z.record(z.string(), z.string()).optional(),
};
const keyValuePairs = z.array(z.tuple([z.string().min(1), z.string()])).min(1);

/** The HTTPChaos fault entries, each with the `extra` fields too (an experiment adds its own, e.g. mode and value). */
export function httpChaosFaultSchemaWith<S extends z.ZodRawShape>(extra: S) {
  return z.discriminatedUnion("action", [
    z.object({ ...extra, ...common, action: z.literal("abort") }).strict(),
    z.object({ ...extra, ...common, action: z.literal("delay"), delay: goDurationSchema.describe("added latency: \"300ms\"") }).strict(),
    z
      .object({
        ...extra,
        ...common,
        action: z.literal("replace"),
        replace: z
          .object({
            path: z.string().min(1).optional(),
            method: z.enum(httpMethods).optional(),
            code: z.number().int().min(100).max(599).optional(),
            body: z.string().optional().describe("the new body, as text (sent base64-encoded as the CRD wants)"),
            queries: z.record(z.string(), z.string()).optional(),
            headers: z.record(z.string(), z.string()).optional(),
          })
          .strict()
          .refine((replace) => Object.keys(replace).length > 0, { message: "replace at least one of path, method, code, body, queries, headers" }),
      })
      .strict(),
    z
      .object({
        ...extra,
        ...common,
        action: z.literal("patch"),
        patch: z
          .object({ body: z.object({ type: z.literal("JSON"), value: z.string().min(1) }).strict().optional(), queries: keyValuePairs.optional(), headers: keyValuePairs.optional() })
          .strict()
          .refine((patch) => Object.keys(patch).length > 0, { message: "patch at least one of body, queries, headers" }),
      })
      .strict(),
  ]);
}
export const httpChaosFaultSchema = httpChaosFaultSchemaWith({});
export type HTTPChaosFault = z.infer<typeof httpChaosFaultSchema>;

export function httpChaosSpec(fault: HTTPChaosFault): Record<string, unknown> {
  const matching = defined({ target: fault.target, port: fault.port, path: fault.path, method: fault.method, code: fault.code, request_headers: fault.request_headers, response_headers: fault.response_headers });
  switch (fault.action) {
    case "abort":
      return { ...matching, abort: true };
    case "delay":
      return { ...matching, delay: fault.delay };
    case "replace": {
      const { body, ...replace } = fault.replace;
      return { ...matching, replace: { ...replace, ...(body !== undefined ? { body: Buffer.from(body).toString("base64") } : {}) } };
    }
    case "patch":
      return { ...matching, patch: fault.patch };
  }
}
