// DNSChaos: Chaos Mesh's DNS server answers the target pods' lookups wrongly (needs its chaos-dns-server).
import { z } from "zod";
import { containerNamesSchema, defined } from "../common.ts";

export const dnsChaosActions = ["error", "random"] as const;
export type DNSChaosAction = (typeof dnsChaosActions)[number];

const kind = z.literal("DNSChaos");
// A wildcard * may only end a pattern (Chaos Mesh's rule); ? stands for one character.
const pattern = z.string().regex(/^[A-Za-z0-9?.-]+\*?$|^\*$/, { message: "expected a domain name pattern such as \"example.com\", \"api.*\" or \"svc-?.local\" (* only at the end)" });
const common = { kind, patterns: z.array(pattern).min(1).optional().describe("domain names to affect (default all)"), containerNames: containerNamesSchema.optional() };

/** The DNSChaos fault entries, each with the `extra` fields too (an experiment adds its own, e.g. mode and value). */
export function dnsChaosFaultSchemaWith<S extends z.ZodRawShape>(extra: S) {
  return z.discriminatedUnion("action", [z.object({ ...extra, ...common, action: z.literal("error") }).strict(), z.object({ ...extra, ...common, action: z.literal("random") }).strict()]);
}
export const dnsChaosFaultSchema = dnsChaosFaultSchemaWith({});
export type DNSChaosFault = z.infer<typeof dnsChaosFaultSchema>;

export function dnsChaosSpec(fault: DNSChaosFault): Record<string, unknown> {
  return defined({ action: fault.action, patterns: fault.patterns, containerNames: fault.containerNames });
}
