// Applying and watching Chaos Mesh objects through @kubernetes/client-node.
import { ApiException, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { waitForOrThrow } from "../scripts/core/wait-for.ts";
import { chaosGroup, chaosVersion, conditionIsTrue, managedByLabel, type ChaosConditionType, type PodChaos } from "./pod-chaos.ts";

const plural = "podchaos";

/** The API server (its CRD schema or Chaos Mesh's admission webhook) refused the object. */
export class ChaosRejectedError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = "ChaosRejectedError";
  }
}

/** The API server's own explanation of a refusal, e.g. `spec.mode: Unsupported value: "some": supported values: "one", ...`. */
export function rejectionMessage(error: unknown): string | undefined {
  if (!(error instanceof ApiException)) return undefined;
  const body: unknown = error.body;
  if (typeof body === "string") {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      return body;
    }
  }
  if (body && typeof body === "object" && "message" in body) return String((body as { message: unknown }).message);
  return error.message;
}

export function kubeConfigFrom(kubeconfigPath: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath);
  return config;
}

export class ChaosClient {
  private readonly api: CustomObjectsApi;

  constructor(config: KubeConfig) {
    this.api = config.makeApiClient(CustomObjectsApi);
  }

  async create(object: PodChaos): Promise<PodChaos> {
    try {
      return (await this.api.createNamespacedCustomObject({ group: chaosGroup, version: chaosVersion, namespace: object.metadata.namespace, plural, body: object })) as PodChaos;
    } catch (error) {
      const message = rejectionMessage(error);
      if (error instanceof ApiException && (error.code === 422 || error.code === 400 || error.code === 403) && message) {
        throw new ChaosRejectedError(error.code, `PodChaos ${object.metadata.namespace}/${object.metadata.name} rejected: ${message}`);
      }
      throw error;
    }
  }

  async get(namespace: string, name: string): Promise<PodChaos> {
    return (await this.api.getNamespacedCustomObject({ group: chaosGroup, version: chaosVersion, namespace, plural, name })) as PodChaos;
  }

  async delete(namespace: string, name: string): Promise<void> {
    try {
      await this.api.deleteNamespacedCustomObject({ group: chaosGroup, version: chaosVersion, namespace, plural, name });
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 404)) throw error;
    }
  }

  /** Objects bulwark created (by label), in every namespace: what a sweep would remove. */
  async listManaged(): Promise<PodChaos[]> {
    const selector = Object.entries(managedByLabel).map(([key, value]) => `${key}=${value}`).join(",");
    const list = (await this.api.listClusterCustomObject({ group: chaosGroup, version: chaosVersion, plural, labelSelector: selector })) as { items: PodChaos[] };
    return list.items;
  }

  /** Polls status.conditions until `type` is True; Chaos Mesh reports progress there, not through time. */
  async waitForCondition(namespace: string, name: string, type: ChaosConditionType, options: { timeoutMs: number; intervalMs?: number }): Promise<PodChaos> {
    let last: PodChaos | undefined;
    return waitForOrThrow(
      async () => {
        last = await this.get(namespace, name);
        return conditionIsTrue(last, type) && last;
      },
      { timeoutMs: options.timeoutMs, intervalMs: options.intervalMs ?? 250, description: `PodChaos ${namespace}/${name} condition ${type}` },
      (timeout) => {
        const conditions = last?.status?.conditions?.map((condition) => `${condition.type}=${condition.status}`).join(", ") ?? "none";
        const lastError = timeout.lastError instanceof Error ? `; last error: ${timeout.lastError.message}` : "";
        return new Error(`PodChaos ${namespace}/${name}: condition ${type} not True within ${options.timeoutMs / 1000} s (conditions: ${conditions})${lastError}`);
      },
    );
  }
}
