// What the shipped rollout checks (rollout-demo, bad-release-demo) roll out and back.
import { simulatedReadyAfterAnnotation } from "../kwok-stages.ts";

export const rolloutDemo = {
  deployment: "demo-rollout",
  replicas: 3,
  /** KWOK stage: each new pod runs at once and becomes Ready this long after (a real app's start-up). */
  readyAfter: "1s",
  /** Seconds without progress before the Deployment reports ProgressDeadlineExceeded: short, so a bad release is caught in seconds. */
  progressDeadlineSeconds: 5,
};

/**
 * A Deployment of simulated pods that roll like real ones: a readiness delay (KWOK stage), a readiness
 * probe, one pod more and one fewer than desired during a rollout, and a short progress deadline.
 */
export function rolloutDemoObjects(namespace: string): object[] {
  const labels = { app: rolloutDemo.deployment, "app.kubernetes.io/part-of": "bulwark-demo" };
  return [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: rolloutDemo.deployment, namespace, labels },
      spec: {
        replicas: rolloutDemo.replicas,
        selector: { matchLabels: { app: rolloutDemo.deployment } },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
        minReadySeconds: 0,
        progressDeadlineSeconds: rolloutDemo.progressDeadlineSeconds,
        revisionHistoryLimit: 5,
        template: {
          metadata: { labels, annotations: { [simulatedReadyAfterAnnotation]: rolloutDemo.readyAfter } },
          spec: {
            containers: [
              {
                name: "app",
                image: "bulwark/demo-rollout:1",
                ports: [{ name: "http", containerPort: 8080 }],
                readinessProbe: { httpGet: { path: "/health", port: "http" }, periodSeconds: 1, failureThreshold: 1 },
                resources: { requests: { cpu: "50m", memory: "32Mi" } },
              },
            ],
          },
        },
      },
    },
  ];
}
