// Brings the local cluster up once per test run, reusing a running one. On a cold machine this builds
// the control plane, etcd, KWOK, metrics-server and Chaos Mesh from the Go module proxy first (long).
// A cluster this run created is stopped at the end; one that was already running is left running.
import type { TestProject } from "vitest/node";
import { down, up } from "../../scripts/local/cluster/index.ts";

declare module "vitest" {
  export interface ProvidedContext {
    clusterKubeconfig: string;
    clusterChaosMesh: { running: boolean; problem?: string };
  }
}

const log = (line: string) => process.stderr.write(`[cluster setup] ${line}\n`);

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const result = await up({ log });
  log(`ready in ${result.seconds} s (control plane ${result.controlPlane}${result.built.length > 0 ? `; built ${result.built.map((b) => `${b.name} in ${b.seconds} s`).join(", ")}` : ""})`);
  project.provide("clusterKubeconfig", result.kubeconfig);
  project.provide("clusterChaosMesh", result.chaosMesh);
  return async () => {
    if (result.controlPlane !== "reused") await down({ log });
  };
}
