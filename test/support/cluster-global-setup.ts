// Brings the local cluster up once per test run, reusing a running one. On a cold machine this builds
// the control plane, etcd, KWOK, metrics-server and Chaos Mesh from the Go module proxy first (long).
import type { TestProject } from "vitest/node";
import { up } from "../../scripts/local/cluster/index.ts";

declare module "vitest" {
  export interface ProvidedContext {
    clusterKubeconfig: string;
    clusterChaosMesh: { running: boolean; problem?: string };
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const result = await up({ log: (line) => process.stderr.write(`[cluster setup] ${line}\n`) });
  process.stderr.write(`[cluster setup] ready in ${result.seconds} s (control plane ${result.controlPlane}${result.built.length > 0 ? `; built ${result.built.map((b) => `${b.name} ${b.seconds} s`).join(", ")}` : ""})\n`);
  project.provide("clusterKubeconfig", result.kubeconfig);
  project.provide("clusterChaosMesh", result.chaosMesh);
}
