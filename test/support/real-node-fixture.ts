// Per-test helpers for the real node: the demo target as a Deployment there, its pods, and the loopback
// front that follows its Service. Builds on the cluster fixture (a fresh namespace per test).
import { beforeAll, inject } from "vitest";
import { waitForOrThrow } from "../../scripts/core/wait-for.ts";
import { demoAppManifests, demoAppPort, up, realNodeName, realNodeNetwork, startFront, type DemoAppOptions, type LoopbackFront } from "../../scripts/local/cluster/index.ts";
import { clusterTest, isRunningAndReady, podsOf, type ClusterClients } from "./cluster-fixture.ts";
import type { V1Pod } from "@kubernetes/client-node";

/** Starts the real node for this file's tests (reused when it runs; about 30 s when it does not). */
export function useRealNode(): void {
  beforeAll(async () => {
    const result = await up({ log: (line) => process.stderr.write(`[real node] ${line}\n`), realNode: true });
    if (result.realNode?.state === "started") process.stderr.write(`[real node] started in ${result.realNode.seconds.toFixed(1)} s\n`);
  }, 600_000);
}

export const realNodeTest = clusterTest.extend<{ fronts: LoopbackFront[] }>({
  fronts: async ({}, use) => {
    const fronts: LoopbackFront[] = [];
    await use(fronts);
    await Promise.all(fronts.map((front) => front.close()));
  },
});

export async function deployDemo(kube: ClusterClients, namespace: string, options: Omit<DemoAppOptions, "image">): Promise<void> {
  await kube.kubectl.must(["-n", namespace, "apply", "-f", "-"], JSON.stringify(demoAppManifests({ ...options, image: inject("demoTargetImage") })));
}

/** The app's pods that run on the real node and are Ready (never a simulated node's). */
export async function readyRealPods(kube: ClusterClients, namespace: string, app: string): Promise<V1Pod[]> {
  return (await podsOf(kube, namespace, app)).filter((pod) => pod.spec?.nodeName === realNodeName && isRunningAndReady(pod));
}

export async function waitForReadyRealPods(kube: ClusterClients, namespace: string, app: string, count: number, timeoutMs = 90_000): Promise<V1Pod[]> {
  let pods: V1Pod[] = [];
  return waitForOrThrow(
    async () => {
      pods = await readyRealPods(kube, namespace, app);
      return pods.length === count ? pods : undefined;
    },
    { timeoutMs, intervalMs: 250, description: `${count} Ready pods of ${app} on the real node` },
    async () => {
      const all = await podsOf(kube, namespace, app);
      const described = all.map((pod) => `${pod.metadata?.name} on ${pod.spec?.nodeName ?? "no node"}: ${pod.status?.phase} ${JSON.stringify(pod.status?.containerStatuses?.[0]?.state ?? {})}`);
      return new Error(`expected ${count} Ready pods of ${app} on ${realNodeName}, have ${pods.length}:\n${described.join("\n")}`);
    },
  );
}

export async function frontFor(kube: ClusterClients, namespace: string, app: string, fronts: LoopbackFront[]): Promise<LoopbackFront> {
  const front = await startFront({ kubeconfig: kube.kubeconfig, namespace, service: app, targetPort: demoAppPort, network: realNodeNetwork() });
  fronts.push(front);
  return front;
}

export function podNames(pods: V1Pod[]): string[] {
  return pods.map((pod) => pod.metadata?.name ?? "").sort();
}
