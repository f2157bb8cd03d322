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
}

export function demoAppManifests(options: DemoAppOptions): object {
  const labels = { app: options.name };
  const args = ["--port", String(demoAppPort), "--host", "0.0.0.0", ...(options.faults ?? []).flatMap((fault) => ["--fault", fault])];
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
                  name: "demo-target",
                  image: options.image,
                  imagePullPolicy: "Never",
                  args,
                  ports: [{ containerPort: demoAppPort, name: "http" }],
                  resources: { requests: { cpu: options.cpuRequest ?? "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
                  readinessProbe: { httpGet: { path: "/health", port: demoAppPort }, periodSeconds: 1, failureThreshold: 1, successThreshold: 1 },
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
