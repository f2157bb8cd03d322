// A fault entry of an experiment file: which Chaos Mesh kind and action, with that action's parameters.
// Discriminated on `kind`, then on `action`, so an error names the exact field that is wrong.
import { z } from "zod";
import type { ChaosKind } from "./common.ts";
import { dnsChaosActions, dnsChaosFaultSchemaWith, dnsChaosSpec } from "./kinds/dns-chaos.ts";
import { httpChaosActions, httpChaosFaultSchemaWith, httpChaosSpec } from "./kinds/http-chaos.ts";
import { ioChaosActions, ioChaosFaultSchemaWith, ioChaosSpec } from "./kinds/io-chaos.ts";
import { networkChaosActions, networkChaosFaultSchemaWith, networkChaosSpec } from "./kinds/network-chaos.ts";
import { podChaosActions, podChaosFaultSchemaWith, podChaosSpec } from "./kinds/pod-chaos.ts";
import { stressChaosActions, stressChaosFaultSchemaWith, stressChaosSpec } from "./kinds/stress-chaos.ts";
import { timeChaosActions, timeChaosFaultSchemaWith, timeChaosSpec } from "./kinds/time-chaos.ts";

/** The fault entries with `extra` fields on every entry (an experiment's mode, value, duration...). */
export function faultSchemaWith<S extends z.ZodRawShape>(extra: S) {
  return z.discriminatedUnion("kind", [
    podChaosFaultSchemaWith(extra),
    networkChaosFaultSchemaWith(extra),
    stressChaosFaultSchemaWith(extra),
    httpChaosFaultSchemaWith(extra),
    ioChaosFaultSchemaWith(extra),
    timeChaosFaultSchemaWith(extra),
    dnsChaosFaultSchemaWith(extra),
  ]);
}
export const faultSchema = faultSchemaWith({});
/** A validated fault (what faultSchema.parse returns). */
export type Fault = z.infer<typeof faultSchema>;
/** A fault as written in an experiment file (before defaults and transforms). */
export type FaultInput = z.input<typeof faultSchema>;
export type FaultOf<K extends ChaosKind> = Extract<Fault, { kind: K }>;

/** Every action bulwark builds, per kind. */
export const faultActions = {
  PodChaos: podChaosActions,
  NetworkChaos: networkChaosActions,
  StressChaos: stressChaosActions,
  HTTPChaos: httpChaosActions,
  IOChaos: ioChaosActions,
  TimeChaos: timeChaosActions,
  DNSChaos: dnsChaosActions,
} as const satisfies Record<ChaosKind, readonly string[]>;

/**
 * The two actions the controller carries out by itself (it deletes the pod, or swaps its image), so they
 * inject on KWOK nodes too; every other action needs chaos-daemon on the node (or, for DNSChaos, Chaos
 * Mesh's DNS server) and is validated only on the local cluster.
 */
export function injectsWithoutDaemon(fault: Pick<Fault, "kind" | "action">): boolean {
  return fault.kind === "PodChaos" && (fault.action === "pod-kill" || fault.action === "pod-failure");
}

/** "path.to.field: message" for each problem of a fault entry; empty when it is valid. */
export function faultProblems(input: unknown, prefix = "fault"): string[] {
  const result = faultSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((issue) => `${[prefix, ...issue.path.map(String)].filter(Boolean).join(".")}: ${issue.message}`);
}

/** The kind-specific part of the spec (action and its parameters) for a validated fault. */
export function kindSpec(fault: Fault): Record<string, unknown> {
  switch (fault.kind) {
    case "PodChaos":
      return podChaosSpec(fault);
    case "NetworkChaos":
      return networkChaosSpec(fault);
    case "StressChaos":
      return stressChaosSpec(fault);
    case "HTTPChaos":
      return httpChaosSpec(fault);
    case "IOChaos":
      return ioChaosSpec(fault);
    case "TimeChaos":
      return timeChaosSpec(fault);
    case "DNSChaos":
      return dnsChaosSpec(fault);
  }
}
