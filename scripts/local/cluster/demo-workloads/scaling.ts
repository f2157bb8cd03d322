// What the shipped scaling check (hpa-demo) watches: a Deployment of simulated pods and the real HPA
// controller scaling it on CPU, which the usage bridge simulates from the demo target's served rate.

export const scalingDemo = {
  deployment: "demo-scaling",
  cpuRequest: "100m",
  minReplicas: 1,
  maxReplicas: 6,
  targetCpuUtilization: 50,
  /**
   * Scale-down waits this long for lower recommendations (the default is 300 s): short, so that a
   * check sees the scale-in within seconds of the load's end. A production HPA keeps a longer window.
   */
  scaleDownStabilizationSeconds: 5,
};

/**
 * The Deployment leaves spec.replicas out: the HPA owns it, and re-applying the demo workloads must not
 * reset what the HPA decided.
 */
export function scalingDemoObjects(namespace: string): object[] {
  const labels = { app: scalingDemo.deployment, "app.kubernetes.io/part-of": "bulwark-demo" };
  return [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: scalingDemo.deployment, namespace, labels },
      spec: {
        selector: { matchLabels: { app: scalingDemo.deployment } },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: "app", image: "bulwark/demo-scaling:1", resources: { requests: { cpu: scalingDemo.cpuRequest, memory: "32Mi" } } }] },
        },
      },
    },
    {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: scalingDemo.deployment, namespace, labels: { "app.kubernetes.io/part-of": "bulwark-demo" } },
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: scalingDemo.deployment },
        minReplicas: scalingDemo.minReplicas,
        maxReplicas: scalingDemo.maxReplicas,
        metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: scalingDemo.targetCpuUtilization } } }],
        behavior: {
          scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: "Pods", value: 4, periodSeconds: 5 }] },
          scaleDown: { stabilizationWindowSeconds: scalingDemo.scaleDownStabilizationSeconds, policies: [{ type: "Percent", value: 100, periodSeconds: 5 }] },
        },
      },
    },
  ];
}
