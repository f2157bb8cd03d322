// Acceptance 3: the real HorizontalPodAutoscaler controller scales a Deployment out when its pods' CPU
// (simulated by KWOK from the kwok.x-k8s.io/usage-cpu annotation, served by metrics-server) goes above
// the 50 % target, and back in when it drops, with a short scale-down stabilization window.
import { expect, vi } from "vitest";
import { clusterTest, deployment, isRunningAndReady, podsOf, type ClusterClients } from "../support/cluster-fixture.ts";

const usageAnnotation = "kwok.x-k8s.io/usage-cpu";

async function setPodCpuUsage(kube: ClusterClients, namespace: string, name: string, usage: string): Promise<void> {
  const patch = { spec: { template: { metadata: { annotations: { [usageAnnotation]: usage } } } } };
  await kube.kubectl.must(["-n", namespace, "patch", "deployment", name, "--type", "merge", "-p", JSON.stringify(patch)]);
}

/** Average CPU of the app's pods in millicores as the metrics API (metrics.k8s.io) reports it, and how many pods it covers. */
async function podCpuFromMetricsApi(kube: ClusterClients, namespace: string, app: string): Promise<{ pods: number; averageMillicores: number }> {
  const metrics = await kube.metrics.getPodMetrics(namespace);
  const names = new Set((await podsOf(kube, namespace, app)).map((pod) => pod.metadata?.name));
  const samples = metrics.items.filter((item) => names.has(item.metadata.name));
  const millicores = samples.map((item) => item.containers.reduce((sum, container) => sum + parseCpu(container.usage.cpu), 0));
  return { pods: samples.length, averageMillicores: millicores.length === 0 ? 0 : millicores.reduce((a, b) => a + b, 0) / millicores.length };
}

function parseCpu(quantity: string): number {
  if (quantity.endsWith("n")) return Number.parseFloat(quantity) / 1e6;
  if (quantity.endsWith("u")) return Number.parseFloat(quantity) / 1e3;
  if (quantity.endsWith("m")) return Number.parseFloat(quantity);
  return Number.parseFloat(quantity) * 1000;
}

clusterTest("a real HPA scales out when pod CPU rises above 50 % and back in when it drops", async ({ kube, namespace }) => {
  await kube.apps.createNamespacedDeployment({ namespace, body: deployment("api", 2, { cpuRequest: "100m", annotations: { [usageAnnotation]: "10m" } }) });
  await kube.autoscaling.createNamespacedHorizontalPodAutoscaler({
    namespace,
    body: {
      metadata: { name: "api" },
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "api" },
        minReplicas: 2,
        maxReplicas: 4,
        metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } }],
        behavior: {
          scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: "Pods", value: 4, periodSeconds: 5 }] },
          scaleDown: { stabilizationWindowSeconds: 5, policies: [{ type: "Percent", value: 100, periodSeconds: 5 }] },
        },
      },
    },
  });

  // Low usage: the metrics API reports about 10m per pod and the HPA holds the minimum.
  await vi.waitFor(
    async () => {
      const cpu = await podCpuFromMetricsApi(kube, namespace, "api");
      expect(cpu.pods).toBe(2);
      expect(cpu.averageMillicores).toBeGreaterThan(5);
      expect(cpu.averageMillicores).toBeLessThan(20);
      const hpa = await kube.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: "api", namespace });
      expect(hpa.status?.currentMetrics?.[0]?.resource?.current.averageUtilization).toBeLessThan(50);
    },
    { timeout: 90_000, interval: 1000 },
  );

  // Raise usage to 200 % of the request: the HPA goes to its maximum.
  await setPodCpuUsage(kube, namespace, "api", "200m");
  await vi.waitFor(
    async () => {
      const cpu = await podCpuFromMetricsApi(kube, namespace, "api");
      expect(cpu.averageMillicores).toBeGreaterThan(150);
      const hpa = await kube.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: "api", namespace });
      expect(hpa.status?.currentMetrics?.[0]?.resource?.current.averageUtilization).toBeGreaterThan(50);
      expect(hpa.status?.desiredReplicas).toBe(4);
      const ready = (await podsOf(kube, namespace, "api")).filter(isRunningAndReady);
      expect(ready.length).toBe(4);
    },
    { timeout: 150_000, interval: 1000 },
  );

  // Lower it again: after the 5 s stabilization window the HPA scales back to the minimum.
  await setPodCpuUsage(kube, namespace, "api", "10m");
  await vi.waitFor(
    async () => {
      const cpu = await podCpuFromMetricsApi(kube, namespace, "api");
      expect(cpu.averageMillicores).toBeLessThan(20);
      const hpa = await kube.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: "api", namespace });
      expect(hpa.status?.desiredReplicas).toBe(2);
      const deployment = await kube.apps.readNamespacedDeployment({ name: "api", namespace });
      expect(deployment.spec?.replicas).toBe(2);
    },
    { timeout: 150_000, interval: 1000 },
  );
});
