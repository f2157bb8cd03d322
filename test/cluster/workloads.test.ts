// Acceptance 2: a Deployment gets Running, Ready pods on the simulated nodes (real scheduler, real
// ReplicaSet controller, KWOK playing the kubelet).
import { expect, vi } from "vitest";
import { simulatedNodes } from "../../scripts/local/cluster/index.ts";
import { clusterTest, deployment, isRunningAndReady, podsOf } from "../support/cluster-fixture.ts";

clusterTest("a Deployment with 2 replicas gets 2 Running, Ready pods on simulated nodes", async ({ kube, namespace }) => {
  await kube.apps.createNamespacedDeployment({ namespace, body: deployment("web", 2) });

  const pods = await vi.waitFor(
    async () => {
      const ready = (await podsOf(kube, namespace, "web")).filter(isRunningAndReady);
      expect(ready).toHaveLength(2);
      return ready;
    },
    { timeout: 60_000, interval: 500 },
  );
  for (const pod of pods) expect(simulatedNodes).toContain(pod.spec?.nodeName);
  await vi.waitFor(
    async () => {
      const current = await kube.apps.readNamespacedDeploymentStatus({ name: "web", namespace });
      expect(current.status?.readyReplicas).toBe(2);
    },
    { timeout: 30_000, interval: 500 },
  );
});
