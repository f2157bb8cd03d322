// What the rollout cluster tests read for themselves, from the API and the run directory, to hold the
// CLI's verdicts against: the Deployment's template and ReplicaSet, the run's summary, the audit log.
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import type { V1PodTemplateSpec } from "@kubernetes/client-node";
import { expect } from "vitest";
import { stagesEnabled } from "../../scripts/local/cluster/index.ts";
import { rolloutDemo } from "../../scripts/local/cluster/demo-workloads/rollout.ts";
import { demoNamespace } from "../../scripts/local/cluster/demo-workloads/index.ts";
import { currentReplicaSet, sameTemplate, templateHashOf } from "../../scripts/kinds/rollout/template.ts";
import type { Check, StepResult } from "../../scripts/core/step-result.ts";
import type { ClusterClients } from "./cluster-fixture.ts";

export { rolloutDemo, demoNamespace };

/** The rollout tests need KWOK's stages (readiness delay, ':bad' never Ready): a clear failure otherwise. */
export async function requireStages(kube: ClusterClients): Promise<void> {
  if (!(await stagesEnabled(kube.kubectl))) {
    throw new Error("the local cluster was created without KWOK's Stage CRD (before bulwark enabled it): recreate it with `bulwark local down --cluster && bulwark local up --cluster`");
  }
}

export interface Release {
  template: V1PodTemplateSpec;
  hash: string | undefined;
}

/** The demo Deployment's pod template and the pod-template-hash of the ReplicaSet running it, read from the API. */
export async function demoRelease(kube: ClusterClients): Promise<Release> {
  const deployment = await kube.apps.readNamespacedDeployment({ namespace: demoNamespace, name: rolloutDemo.deployment });
  const replicaSets = await kube.apps.listNamespacedReplicaSet({ namespace: demoNamespace, labelSelector: `app=${rolloutDemo.deployment}` });
  const plain = JSON.parse(JSON.stringify({ deployment, replicaSets: replicaSets.items }));
  return { template: plain.deployment.spec.template, hash: templateHashOf(currentReplicaSet(plain.deployment, plain.replicaSets) ?? {}) };
}

export function expectSameRelease(actual: Release, expected: Release): void {
  expect(sameTemplate(actual.template, expected.template), "the Deployment's pod template is the one before the check").toBe(true);
  expect(actual.hash).toBe(expected.hash);
}

/** The one run directory's summary under a reports root. */
export function runSummary(reportsRoot: string): { verdict: string; exitCode: number; steps: StepResult[] } {
  const runs = readdirSync(reportsRoot).filter((name) => existsSync(join(reportsRoot, name, "summary.json")));
  expect(runs).toHaveLength(1);
  return JSON.parse(readFileSync(join(reportsRoot, runs[0]!, "summary.json"), "utf8"));
}

export function checkNamed(step: StepResult, prefix: string): Check {
  const check = step.checks.find((candidate) => candidate.name.startsWith(prefix));
  expect(check, `a check named '${prefix}...' (checks: ${step.checks.map((candidate) => candidate.name).join(", ")})`).toBeDefined();
  return check!;
}

/** A series' value at `atMs`: its last point at or before that instant. */
export function valueAt(points: readonly (readonly [number, number | null])[], atMs: number): number | null | undefined {
  return [...points].reverse().find(([at]) => at <= atMs)?.[1];
}

export function auditLines(file: string): { action: string; result: string; detail?: string; target: string }[] {
  return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line)) : [];
}
