// Acceptance 3: under load that costs real CPU (requests through the loopback front into the demo pod),
// metrics-server reads the pod's CPU from the real kubelet (cgroups, not KWOK's usage annotations), and
// the real HPA controller scales the Deployment from 1 to 2 real pods; after the load it scales back to 1.
import { expect } from "vitest";
import { waitForOrThrow } from "../../scripts/core/wait-for.ts";
import { startEngine } from "../support/engine-scenario.ts";
import { podsOf } from "../support/cluster-fixture.ts";
import { deployDemo, frontFor, readyRealPods, realNodeTest, useRealNode, waitForReadyRealPods } from "../support/real-node-fixture.ts";

useRealNode();

const cpuRequest = "30m";
// Bounded: at most 90 s at 100 requests a second; the test stops it as soon as the HPA has scaled out.
const scenario = `
import http from "k6/http";
export const options = {
  scenarios: { front: { executor: "constant-arrival-rate", rate: 100, timeUnit: "1s", duration: "90s", preAllocatedVUs: 20 } },
};
export default function () {
  http.get(__ENV.TARGET + "/api/items?page=2");
}
`;

realNodeTest("the HPA scales the real demo Deployment out on real CPU and back in after the load", async ({ kube, namespace, fronts }) => {
  await deployDemo(kube, namespace, { name: "demo", replicas: 1, cpuRequest });
  await waitForReadyRealPods(kube, namespace, "demo", 1);
  await kube.autoscaling.createNamespacedHorizontalPodAutoscaler({
    namespace,
    body: {
      metadata: { name: "demo" },
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "demo" },
        minReplicas: 1,
        maxReplicas: 2,
        metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } }],
        behavior: {
          scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: "Pods", value: 1, periodSeconds: 5 }] },
          scaleDown: { stabilizationWindowSeconds: 5, policies: [{ type: "Percent", value: 100, periodSeconds: 5 }] },
        },
      },
    },
  });
  const utilization = async () => (await kube.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: "demo", namespace })).status?.currentMetrics?.[0]?.resource?.current.averageUtilization;

  // Idle: metrics-server has the real pod's CPU, and it is under the target.
  const idle = await waitForOrThrow(async () => utilization(), { timeoutMs: 90_000, intervalMs: 1000, description: "the HPA's first CPU reading" }, () => new Error("the HPA got no CPU reading for the real pod"));
  expect(idle).toBeLessThan(50);

  const front = await frontFor(kube, namespace, "demo", fronts);
  await expect.poll(() => front.ready().length, { timeout: 10_000 }).toBe(1);
  const engine = await startEngine(scenario, { env: { TARGET: front.url }, killAfterMs: 120_000 });
  let loaded: number | undefined;
  try {
    await waitForOrThrow(
      async () => {
        loaded = Math.max(loaded ?? 0, (await utilization()) ?? 0);
        return (await readyRealPods(kube, namespace, "demo")).length >= 2;
      },
      { timeoutMs: 85_000, intervalMs: 1000, description: "the HPA to scale out" },
      async () => new Error(`no scale-out under load: utilization ${loaded}%, ${(await podsOf(kube, namespace, "demo")).length} pods`),
    );
  } finally {
    // Closing the engine's standard input ends the run: the load stops here.
    engine.child.stdin?.end();
    await engine.result;
  }
  expect(loaded).toBeGreaterThan(50);
  // The CPU was measured, not declared: no pod carries KWOK's usage annotations.
  for (const pod of await podsOf(kube, namespace, "demo")) {
    expect(Object.keys(pod.metadata?.annotations ?? {}).filter((key) => key.startsWith("kwok.x-k8s.io/"))).toEqual([]);
  }

  // After the load the CPU falls under the target and the HPA removes the second pod.
  await waitForOrThrow(
    async () => (await podsOf(kube, namespace, "demo")).length === 1 && (await kube.apps.readNamespacedDeployment({ name: "demo", namespace })).spec?.replicas === 1,
    { timeoutMs: 120_000, intervalMs: 1000, description: "the HPA to scale back in" },
    async () => new Error(`no scale-in after the load: utilization ${await utilization()}%`),
  );
  process.stderr.write(`[real-node] HPA: idle ${idle}% of ${cpuRequest}, under load up to ${loaded}%\n`);
});
