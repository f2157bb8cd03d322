// What the shipped chaos experiments (pod-kill-demo, pod-failure-demo) aim at.

/** A Deployment of simulated pods: 3 replicas, so killing one leaves the service with two. */
export function chaosDemoObjects(namespace: string): object[] {
  const labels = { app: "demo-target", "app.kubernetes.io/part-of": "bulwark-demo" };
  return [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "demo-target", namespace, labels },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "demo-target" } },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: "demo-target", image: "bulwark/demo-target:simulated", resources: { requests: { cpu: "100m", memory: "64Mi" } } }] },
        },
      },
    },
  ];
}
