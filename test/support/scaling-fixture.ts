// What the scaling cluster tests share: a config of their own (the demo target's endpoints, a profile
// as short as the test needs, the local cluster, the test's scaling checks), workloads with an HPA that
// reacts within seconds, and the run's summary.json.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunSummary } from "../../reports/summary-schema.ts";
import { deployment } from "./cluster-fixture.ts";

export function writeScalingConfig(scalingChecks: Record<string, unknown>, options: { loadDuration?: string; environments?: Record<string, unknown> } = {}): string {
  const config = {
    endpoints: [
      { name: "list-items", method: "GET", path: "/api/items", criticality: "critical" },
      { name: "get-item", method: "GET", path: "/api/items/{id}", criticality: "critical" },
      { name: "create-order", method: "POST", path: "/api/orders", criticality: "critical" },
      { name: "get-order", method: "GET", path: "/api/orders/{id}", criticality: "standard" },
    ],
    // browse-catalog sends two requests an iteration: 20 requests/s.
    profiles: { scaling: { executor: "constant-arrival-rate", ratePerSecond: 10, duration: options.loadDuration ?? "30s", preAllocatedVUs: 5, maxVUs: 20 } },
    suites: {},
    environments: options.environments ?? { local: { demo: true, kubernetes: { local: true } } },
    defaultEnvironment: Object.keys(options.environments ?? { local: true })[0],
    scalingChecks,
  };
  const path = join(mkdtempSync(join(tmpdir(), "bulwark-scaling-config-")), "bulwark.config.json");
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

/** An HPA on CPU utilization with the demo's fast behavior: scale up at once, scale down after 5 s. */
export function fastHpa(name: string, limits: { minReplicas?: number; maxReplicas: number; targetUtilization?: number }) {
  return {
    metadata: { name },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
      minReplicas: limits.minReplicas ?? 1,
      maxReplicas: limits.maxReplicas,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: limits.targetUtilization ?? 50 } } }],
      behavior: {
        scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: "Pods", value: 4, periodSeconds: 5 }] },
        scaleDown: { stabilizationWindowSeconds: 5, policies: [{ type: "Percent", value: 100, periodSeconds: 5 }] },
      },
    },
  };
}

/** A Deployment whose pods declare no CPU request: the HPA cannot compute a utilization for them. */
export function deploymentWithoutCpuRequest(name: string, replicas: number) {
  const body = deployment(name, replicas);
  for (const container of body.spec.template.spec.containers) (container as { resources?: unknown }).resources = {};
  return body;
}

/** A scaling check on a test's workload, with the usage bridge at 8 ms CPU per request. */
export function scalingCheck(namespace: string, name: string, expect: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    workload: { namespace, deployment: name },
    load: { scenario: "browse-catalog", profile: "scaling" },
    expect,
    usageBridge: { cpuMsPerRequest: 8 },
    ...extra,
  };
}

/** The one run directory a CLI run created under `reportsRoot`, and its summary.json. */
export function onlyRun(reportsRoot: string): { directory: string; summary: RunSummary } {
  const runs = readdirSync(reportsRoot).filter((name) => name !== "history" && !name.endsWith(".jsonl"));
  if (runs.length !== 1) throw new Error(`expected one run directory in ${reportsRoot}, found: ${runs.join(", ") || "none"}`);
  const directory = join(reportsRoot, runs[0]!);
  return { directory, summary: JSON.parse(readFileSync(join(directory, "summary.json"), "utf8")) as RunSummary };
}
