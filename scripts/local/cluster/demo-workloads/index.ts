// The demo workloads every local cluster gets in namespace bulwark-demo: what the shipped chaos
// experiments, scaling checks and rollout checks aim at. Pods are simulated by KWOK (they serve nothing:
// the load goes to the demo target on 127.0.0.1). One file per capability lists its objects.
import type { Kubectl } from "../kubectl.ts";
import { chaosDemoObjects } from "./chaos.ts";
import { rolloutDemoObjects } from "./rollout.ts";
import { scalingDemoObjects } from "./scaling.ts";

export const demoNamespace = "bulwark-demo";

/** Every demo object, in apply order. */
export function demoWorkloadObjects(): object[] {
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: demoNamespace, labels: { "app.kubernetes.io/part-of": "bulwark-demo" } } },
    ...chaosDemoObjects(demoNamespace),
    ...rolloutDemoObjects(demoNamespace),
    ...scalingDemoObjects(demoNamespace),
  ];
}

/** Applies the demo workloads (server-side apply: repeated `up`s converge, a test's changes are undone). */
export async function applyDemoWorkloads(kubectl: Kubectl): Promise<void> {
  const list = { apiVersion: "v1", kind: "List", items: demoWorkloadObjects() };
  await kubectl.must(["apply", "--server-side", "--force-conflicts", "--field-manager=bulwark-local", "-f", "-"], JSON.stringify(list));
}
