// The Kubernetes calls a rollout check makes: read the Deployment, change and undo its pod template
// (patches), tell simulated nodes from real ones, and watch the Deployment, its ReplicaSets and pods.
import type { AppsV1Api, CoreV1Api, KubeConfig, V1Deployment, V1LabelSelector, V1Pod, V1ReplicaSet } from "@kubernetes/client-node";
import { apiErrorMessage } from "../kubernetes/api-error.ts";

export interface DeploymentRef {
  namespace: string;
  name: string;
}

/** Marks a node that KWOK simulates (its pods run nothing). */
const simulatedNodeAnnotation = "kwok.x-k8s.io/node";

/** API objects as plain JSON, the shape watch events have (the typed client hands out Date instances). */
const plain = <T>(object: T): T => JSON.parse(JSON.stringify(object)) as T;

/** The HTTP status of a failed API call, when it has one. */
export function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown; statusCode?: unknown } | null)?.code ?? (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === "number" ? code : undefined;
}

/** The API server's reason for refusing a request, on one line (it may quote values with newlines). */
export function refusalMessage(error: unknown): string {
  return apiErrorMessage(error).replace(/\s*\n\s*/g, " ");
}

/** A label selector as the API's query string: `app=web,tier in (a,b),!canary`. */
export function selectorString(selector: V1LabelSelector | undefined): string {
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  for (const requirement of selector?.matchExpressions ?? []) {
    const values = (requirement.values ?? []).join(",");
    if (requirement.operator === "In") parts.push(`${requirement.key} in (${values})`);
    else if (requirement.operator === "NotIn") parts.push(`${requirement.key} notin (${values})`);
    else if (requirement.operator === "Exists") parts.push(requirement.key);
    else if (requirement.operator === "DoesNotExist") parts.push(`!${requirement.key}`);
  }
  return parts.join(",");
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface Watching {
  stop(): Promise<void>;
}

export class RolloutCluster {
  private constructor(
    private readonly config: KubeConfig,
    private readonly apps: AppsV1Api,
    private readonly core: CoreV1Api,
    private readonly client: typeof import("@kubernetes/client-node"),
  ) {}

  static async connect(config: KubeConfig): Promise<RolloutCluster> {
    const client = await import("@kubernetes/client-node");
    return new RolloutCluster(config, config.makeApiClient(client.AppsV1Api), config.makeApiClient(client.CoreV1Api), client);
  }

  /** The API server this client talks to, for messages. */
  get server(): string {
    return this.config.getCurrentCluster()?.server ?? "?";
  }

  async deployment(ref: DeploymentRef): Promise<V1Deployment | null> {
    try {
      return plain(await this.apps.readNamespacedDeployment({ name: ref.name, namespace: ref.namespace }));
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw error;
    }
  }

  async replicaSets(ref: DeploymentRef, selector: V1LabelSelector | undefined): Promise<V1ReplicaSet[]> {
    return plain((await this.apps.listNamespacedReplicaSet({ namespace: ref.namespace, labelSelector: selectorString(selector) })).items);
  }

  async pods(ref: DeploymentRef, selector: V1LabelSelector | undefined): Promise<V1Pod[]> {
    return plain((await this.core.listNamespacedPod({ namespace: ref.namespace, labelSelector: selectorString(selector) })).items);
  }

  /** A strategic merge patch of the Deployment (dryRun: the API server validates it and changes nothing). */
  async patchStrategic(ref: DeploymentRef, body: object, dryRun = false): Promise<V1Deployment> {
    const options = this.client.setHeaderOptions("Content-Type", this.client.PatchStrategy.StrategicMergePatch);
    return plain(await this.apps.patchNamespacedDeployment({ name: ref.name, namespace: ref.namespace, body, fieldManager: "bulwark-rollout", ...(dryRun ? { dryRun: "All" } : {}) }, options));
  }

  async patchJson(ref: DeploymentRef, operations: object[]): Promise<V1Deployment> {
    const options = this.client.setHeaderOptions("Content-Type", this.client.PatchStrategy.JsonPatch);
    return plain(await this.apps.patchNamespacedDeployment({ name: ref.name, namespace: ref.namespace, body: operations, fieldManager: "bulwark-rollout" }, options));
  }

  /**
   * Whether the pods' nodes are KWOK's simulated nodes: true when every one carries KWOK's annotation,
   * false when one does not; null when nodes cannot be read (a namespaced role) or no pod is scheduled.
   */
  async nodesSimulated(nodeNames: readonly string[]): Promise<{ simulated: boolean; nodes: string[] } | null> {
    const names = [...new Set(nodeNames)].sort();
    if (names.length === 0) return null;
    try {
      const nodes = await Promise.all(names.map((name) => this.core.readNode({ name })));
      return { simulated: nodes.every((node) => node.metadata?.annotations?.[simulatedNodeAnnotation] !== undefined), nodes: names };
    } catch (error) {
      if (statusOf(error) === 403 || statusOf(error) === 404) return null;
      throw error;
    }
  }

  /**
   * Watches objects under `path` (e.g. /apis/apps/v1/namespaces/x/replicasets) from their current state
   * (the first events are ADDED for what exists), reconnecting from the last resource version when the
   * connection ends, until stopped.
   */
  watch(path: string, query: { labelSelector?: string; fieldSelector?: string }, onEvent: (type: WatchEventType, object: unknown) => void, onProblem: (message: string) => void): Watching {
    const watcher = new this.client.Watch(this.config);
    let stopped = false;
    let current: AbortController | undefined;
    let resourceVersion: string | undefined;
    const loop = (async () => {
      while (!stopped) {
        const ended = await new Promise<unknown>((resolve) => {
          watcher
            .watch(
              path,
              { ...query, allowWatchBookmarks: true, ...(resourceVersion ? { resourceVersion } : {}) },
              (type, object: { metadata?: { resourceVersion?: string }; code?: number }) => {
                if (type === "ERROR") {
                  // 410 Gone: the version is too old to resume from; start again from the current state.
                  if (object.code === 410) resourceVersion = undefined;
                  return;
                }
                if (object.metadata?.resourceVersion) resourceVersion = object.metadata.resourceVersion;
                if (type === "ADDED" || type === "MODIFIED" || type === "DELETED") onEvent(type, object);
              },
              resolve,
            )
            .then((controller) => {
              current = controller;
              if (stopped) controller.abort();
            }, resolve);
        });
        if (stopped) break;
        if (ended) {
          onProblem(`watch of ${path} ended: ${ended instanceof Error ? ended.message : String(ended)}; reconnecting`);
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    })();
    return {
      stop: async () => {
        stopped = true;
        current?.abort();
        await loop;
      },
    };
  }
}
