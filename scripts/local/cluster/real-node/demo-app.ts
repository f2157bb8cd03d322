// The demo target as a Deployment on the real node, with a Service whose EndpointSlices the loopback
// front follows. Its image comes from the local Docker engine (imported into containerd), never pulled.
import { realNodeLabel, realNodeTaint } from "./layout.ts";

export const demoAppPort = 8080;

export interface DemoAppOptions {
  name: string;
  image: string;
  replicas: number;
  /** what the HPA's utilization is measured against */
  cpuRequest?: string;
  /** demo-target --fault specs, for example latency=200ms */
  faults?: string[];
  /** The rolling update's pace (default: Kubernetes' 25 % / 25 %). */
  rollingUpdate?: { maxSurge: number; maxUnavailable: number };
  /** Seconds without progress before the Deployment reports ProgressDeadlineExceeded (default 600). */
  progressDeadlineSeconds?: number;
  /**
   * Seconds a terminating pod keeps serving before it is told to stop (a preStop sleep), so that the
   * EndpointSlice, and every front following it, has dropped the pod first. Without it a pod that a
   * rollout scales down stops accepting while fronts still send to it.
   */
  drainSeconds?: number;
}

/** The demo pods' container. */
export const demoAppContainer = "demo-target";

/** The demo target's arguments in a pod (a patch that changes the faults repeats them all: args are replaced whole). */
export function demoAppArgs(faults: readonly string[] = []): string[] {
  return ["--port", String(demoAppPort), "--host", "0.0.0.0", ...faults.flatMap((fault) => ["--fault", fault])];
}

export function demoAppManifests(options: DemoAppOptions): object {
  const labels = { app: options.name };
  const args = demoAppArgs(options.faults);
  return {
    apiVersion: "v1",
    kind: "List",
    items: [
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: options.name, labels },
        spec: {
          replicas: options.replicas,
          selector: { matchLabels: labels },
          ...(options.rollingUpdate ? { strategy: { type: "RollingUpdate", rollingUpdate: options.rollingUpdate } } : {}),
          ...(options.progressDeadlineSeconds !== undefined ? { progressDeadlineSeconds: options.progressDeadlineSeconds } : {}),
          template: {
            metadata: { labels },
            spec: {
              nodeSelector: { [realNodeLabel.key]: realNodeLabel.value },
              tolerations: [{ key: realNodeTaint.key, operator: "Equal", value: realNodeTaint.value, effect: realNodeTaint.effect }],
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              terminationGracePeriodSeconds: 5,
              containers: [
                {
                  name: demoAppContainer,
                  image: options.image,
                  imagePullPolicy: "Never",
                  args,
                  ports: [{ containerPort: demoAppPort, name: "http" }],
                  resources: { requests: { cpu: options.cpuRequest ?? "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
                  readinessProbe: { httpGet: { path: "/health", port: demoAppPort }, periodSeconds: 1, failureThreshold: 1, successThreshold: 1 },
                  ...(options.drainSeconds ? { lifecycle: { preStop: { sleep: { seconds: options.drainSeconds } } } } : {}),
                },
              ],
            },
          },
        },
      },
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: options.name, labels },
        spec: { selector: labels, ports: [{ port: demoAppPort, targetPort: demoAppPort, name: "http" }] },
      },
    ],
  };
}
