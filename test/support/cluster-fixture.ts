// Per-test access to the local cluster: API clients from @kubernetes/client-node and a fresh random
// namespace, deleted when the test passes and kept (and named in the output) when it fails.
import { AppsV1Api, AutoscalingV2Api, CoreV1Api, KubeConfig, Metrics, type V1Pod } from "@kubernetes/client-node";
import { randomBytes } from "node:crypto";
import { inject, test } from "vitest";
import { builtBinaries, kubectlFor, type Kubectl } from "../../scripts/local/cluster/index.ts";

export interface ClusterClients {
  config: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  autoscaling: AutoscalingV2Api;
  metrics: Metrics;
  kubectl: Kubectl;
  kubeconfig: string;
}

export async function clusterClients(): Promise<ClusterClients> {
  const kubeconfig = inject("clusterKubeconfig");
  const config = new KubeConfig();
  config.loadFromFile(kubeconfig);
  const binaries = await builtBinaries();
  if (!binaries.kubectl) throw new Error("pinned kubectl is not built");
  return {
    config,
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    autoscaling: config.makeApiClient(AutoscalingV2Api),
    metrics: new Metrics(config),
    kubectl: kubectlFor(binaries.kubectl, kubeconfig),
    kubeconfig,
  };
}

export const clusterTest = test.extend<{ kube: ClusterClients; namespace: string }>({
  kube: async ({}, use) => {
    await use(await clusterClients());
  },
  namespace: async ({ kube, onTestFinished }, use) => {
    const name = `bulwark-test-${randomBytes(4).toString("hex")}`;
    await kube.core.createNamespace({ body: { metadata: { name, labels: { "app.kubernetes.io/managed-by": "bulwark-tests" } } } });
    // Decided once the test's result is known (fixture cleanup would run before that).
    onTestFinished(async ({ task }) => {
      if (task.result?.state === "fail") {
        process.stderr.write(`[cluster] test "${task.name}" failed: namespace ${name} kept for inspection (KUBECONFIG=${kube.kubeconfig})\n`);
      } else {
        await kube.core.deleteNamespace({ name });
      }
    });
    await use(name);
  },
});

/** A minimal Deployment whose pods land on the simulated nodes (KWOK fakes the containers: the image is never pulled). */
export function deployment(name: string, replicas: number, options: { cpuRequest?: string; annotations?: Record<string, string> } = {}) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, annotations: options.annotations ?? {} },
        spec: {
          containers: [
            {
              name: "app",
              image: "bulwark/simulated-app:1",
              resources: { requests: { cpu: options.cpuRequest ?? "100m", memory: "64Mi" } },
            },
          ],
        },
      },
    },
  };
}

export function isRunningAndReady(pod: V1Pod): boolean {
  return pod.status?.phase === "Running" && (pod.status.conditions ?? []).some((condition) => condition.type === "Ready" && condition.status === "True");
}

export async function podsOf(kube: ClusterClients, namespace: string, app: string): Promise<V1Pod[]> {
  const list = await kube.core.listNamespacedPod({ namespace, labelSelector: `app=${app}` });
  return list.items.filter((pod) => !pod.metadata?.deletionTimestamp);
}

/** A KubeConfig that acts as ServiceAccount `name` in `namespace`, with a short-lived token from the TokenRequest API. */
export async function serviceAccountConfig(kube: ClusterClients, namespace: string, name: string): Promise<KubeConfig> {
  const request = await kube.core.createNamespacedServiceAccountToken({ name, namespace, body: { spec: { audiences: [], expirationSeconds: 600 } } });
  const token = request.status?.token;
  if (!token) throw new Error("the TokenRequest API returned no token");
  const cluster = kube.config.getCurrentCluster()!;
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: "local", server: cluster.server, caData: cluster.caData, caFile: cluster.caFile, skipTLSVerify: cluster.skipTLSVerify }],
    users: [{ name, token }],
    contexts: [{ name, cluster: "local", user: name, namespace }],
    currentContext: name,
  });
  return config;
}
