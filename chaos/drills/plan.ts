import type { DrillDefinition } from "./definition.ts";
import type { KindPlan } from "./kind-runner.ts";
import { formatMs } from "../../scripts/core/format.ts";

export interface DrillPlan {
  drill: string;
  kind: DrillDefinition["kind"];
  environment: string;
  destructiveAllowed: boolean;
  confirmed: boolean;
  targets: { rtoMs: number; rpoMs: number };
  where: string;
  steps: { name: string; action: string; destructive: boolean }[];
}

export function buildPlan(input: { drill: string; definition: DrillDefinition; environment: string; destructiveAllowed: boolean; confirmed: boolean; targets: { rtoMs: number; rpoMs: number }; kindPlan: KindPlan }): DrillPlan {
  const { definition, kindPlan } = input;
  const steps: DrillPlan["steps"] = [{ name: "setup", action: kindPlan.setup.join("; "), destructive: false }];
  const sql = "dataStore" in definition ? definition.dataStore !== undefined : true;
  if (definition.reference && sql) steps.push({ name: "load-reference-data", action: `load ${definition.reference.rows} rows into ${definition.reference.table} and fingerprint them`, destructive: false });
  if (definition.writeProbe && sql) steps.push({ name: "prepare-write-probe", action: `create the ledger table ${definition.writeProbe.table}`, destructive: false });
  if (kindPlan.backup) steps.push({ name: "backup", action: kindPlan.backup, destructive: false });
  const probe = definition.availabilityProbe;
  steps.push({
    name: "steady-state",
    action: `${definition.writeProbe && sql ? `write a sequence-numbered row every ${definition.writeProbe.intervalMs} ms and ` : ""}check availability (${probe.kind === "http" ? `GET ${probe.url}` : `SQL: ${probe.query}`}) every ${probe.intervalMs} ms for ${definition.warmup}`,
    destructive: false,
  });
  steps.push({ name: "disaster", action: kindPlan.disaster, destructive: true });
  steps.push({ name: "restore", action: `${kindPlan.restore} (gives up after ${definition.restoreTimeout})`, destructive: false });
  steps.push({ name: "wait-for-service", action: "wait for the first successful availability check after the disaster (RTO)", destructive: false });
  if (sql && (definition.reference || definition.writeProbe)) steps.push({ name: "verify", action: "compare reference row counts and checksums, and the write ledger with the surviving rows (RPO)", destructive: false });
  steps.push({ name: "teardown", action: kindPlan.teardown.join("; ") || "nothing to remove", destructive: false });
  return {
    drill: input.drill,
    kind: definition.kind,
    environment: input.environment,
    destructiveAllowed: input.destructiveAllowed,
    confirmed: input.confirmed,
    targets: input.targets,
    where: kindPlan.where,
    steps,
  };
}

export function formatPlan(plan: DrillPlan): string {
  const lines = [
    `drill ${plan.drill} (${plan.kind}) in environment ${plan.environment}: ${plan.where}`,
    `targets: RTO < ${formatMs(plan.targets.rtoMs)}, RPO < ${formatMs(plan.targets.rpoMs)}`,
    `destructive steps: ${plan.destructiveAllowed ? (plan.confirmed ? "allowed and confirmed" : `allowed here, need --confirm-destroy ${plan.environment}`) : "NOT allowed in this environment"}`,
    "steps:",
    ...plan.steps.map((step, index) => `  ${index + 1}. ${step.name}${step.destructive ? " [DESTRUCTIVE]" : ""}: ${step.action}`),
    "dry run: nothing was started or destroyed",
  ];
  return lines.join("\n");
}
