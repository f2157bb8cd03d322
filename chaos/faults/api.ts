// Chaos Mesh objects of every supported kind through @kubernetes/client-node: create, read, delete,
// server-side dry run, the managed objects of a run, and their injection state.
import { ApiException, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { ToolingError, UsageError } from "../../scripts/core/errors.ts";
import { waitFor, waitForOrThrow, WaitTimeoutError } from "../../scripts/core/wait-for.ts";
import {
  chaosGroup,
  chaosKindNames,
  chaosKinds,
  chaosVersion,
  conditionIsTrue,
  describeRef,
  managedByLabel,
  runIdLabel,
  type ChaosConditionType,
  type ChaosKind,
  type ChaosObject,
  type ChaosRef,
} from "./common.ts";
import { injectionState, type InjectionState } from "./injection.ts";
import { apiErrorMessage } from "../../scripts/kinds/kubernetes/api-error.ts";

/** The API server refused the object: its CRD schema or Chaos Mesh's admission webhook (exit 2). */
export class ChaosRejectedError extends UsageError {
  constructor(
    readonly statusCode: number,
    message: string,
    /** the server's own explanation, unchanged */
    readonly serverMessage: string,
  ) {
    super(message);
    this.name = "ChaosRejectedError";
  }
}

/** The API server's own explanation of a refusal, e.g. `spec.mode: Unsupported value: "some": supported values: "one", ...`. */
export function rejectionMessage(error: unknown): string | undefined {
  return error instanceof ApiException ? apiErrorMessage(error) : undefined;
}

export function kubeConfigFrom(kubeconfigPath: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath);
  return config;
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

const rejectionCodes = new Set([400, 403, 422]);

export interface ListManagedOptions {
  /** only the objects of this run (label bulwark.dev/run-id) */
  runId?: string;
  /** only these kinds; default every supported kind */
  kinds?: readonly ChaosKind[];
  /**
   * only these namespaces, listed one by one (what a namespaced Role allows: bulwark inside the cluster);
   * default every namespace at once, which needs a ClusterRole
   */
  namespaces?: readonly string[];
}

export class ChaosApi {
  private readonly api: CustomObjectsApi;

  constructor(readonly config: KubeConfig) {
    this.api = config.makeApiClient(CustomObjectsApi);
  }

  /** Creates the object; a refusal by the CRD schema or the webhook is a ChaosRejectedError. */
  async create(object: ChaosObject): Promise<ChaosObject> {
    return this.send(object, undefined);
  }

  /**
   * Server-side dry run (dryRun=All): the CRD schema and Chaos Mesh's mutating and validating webhooks
   * judge the object, nothing is stored. Returns the object as the server would have stored it (defaulted).
   */
  async dryRun(object: ChaosObject): Promise<ChaosObject> {
    return this.send(object, "All");
  }

  async get(ref: ChaosRef): Promise<ChaosObject> {
    return (await this.api.getNamespacedCustomObject({ ...this.resource(ref.kind), namespace: ref.metadata.namespace, name: ref.metadata.name })) as ChaosObject;
  }

  /** The object, or undefined when it does not exist (any more). */
  async find(ref: ChaosRef): Promise<ChaosObject | undefined> {
    try {
      return await this.get(ref);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Asks for deletion (Chaos Mesh recovers the targets, then drops its finalizer); absent is fine. Returns whether it existed. */
  async delete(ref: ChaosRef): Promise<boolean> {
    try {
      await this.api.deleteNamespacedCustomObject({ ...this.resource(ref.kind), namespace: ref.metadata.namespace, name: ref.metadata.name });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** Merges annotations into the object's metadata (a JSON merge patch). */
  async annotate(ref: ChaosRef, annotations: Record<string, string>): Promise<ChaosObject> {
    return (await this.api.patchNamespacedCustomObject(
      { ...this.resource(ref.kind), namespace: ref.metadata.namespace, name: ref.metadata.name, body: { metadata: { annotations } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    )) as ChaosObject;
  }

  /** Replaces the object's finalizers (a JSON merge patch); tests use it to simulate a stuck controller. */
  async setFinalizers(ref: ChaosRef, finalizers: string[]): Promise<ChaosObject> {
    return (await this.api.patchNamespacedCustomObject(
      { ...this.resource(ref.kind), namespace: ref.metadata.namespace, name: ref.metadata.name, body: { metadata: { finalizers } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    )) as ChaosObject;
  }

  /**
   * Objects bulwark created (label app.kubernetes.io/managed-by=bulwark) of every kind, in the namespaces
   * given (one list call per namespace and kind) or in every namespace. A refusal (403) is a ToolingError
   * naming the kind and the scope the credentials lack.
   */
  async listManaged(options: ListManagedOptions = {}): Promise<ChaosObject[]> {
    const labels = { ...managedByLabel, ...(options.runId ? { [runIdLabel]: options.runId } : {}) };
    const labelSelector = Object.entries(labels)
      .map(([key, value]) => `${key}=${value}`)
      .join(",");
    const scopes: (string | undefined)[] = options.namespaces ? [...new Set(options.namespaces)] : [undefined];
    const lists = await Promise.all(
      (options.kinds ?? chaosKindNames).flatMap((kind) =>
        scopes.map(async (namespace) => {
          const list = (await this.listOne(kind, namespace, labelSelector)) as { items: ChaosObject[] };
          // list items carry no kind of their own in every server version: set it from the list asked for
          return list.items.map((item) => ({ ...item, kind }));
        }),
      ),
    );
    return lists.flat();
  }

  private async listOne(kind: ChaosKind, namespace: string | undefined, labelSelector: string): Promise<unknown> {
    try {
      return namespace === undefined
        ? await this.api.listClusterCustomObject({ ...this.resource(kind), labelSelector })
        : await this.api.listNamespacedCustomObject({ ...this.resource(kind), namespace, labelSelector });
    } catch (error) {
      if (error instanceof ApiException && error.code === 403) {
        const scope = namespace === undefined ? "in all namespaces (a ClusterRole is needed for that)" : `in namespace ${namespace}`;
        throw new ToolingError(`the cluster refused to list ${chaosKinds[kind]}.${chaosGroup} ${scope} (403): ${rejectionMessage(error) ?? error.message}`);
      }
      throw error;
    }
  }

  /** The object's current injection state (conditions and records), read from the server. */
  async injectionState(ref: ChaosRef): Promise<InjectionState> {
    return injectionState(await this.get(ref));
  }

  /** Polls status.conditions until `type` is True; Chaos Mesh reports progress there, not through time. */
  async waitForCondition(ref: ChaosRef, type: ChaosConditionType, options: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal }): Promise<ChaosObject> {
    let last: ChaosObject | undefined;
    return waitForOrThrow(
      async () => {
        last = await this.get(ref);
        return conditionIsTrue(last, type) && last;
      },
      { timeoutMs: options.timeoutMs, intervalMs: options.intervalMs ?? 250, description: `${describeRef(ref)} condition ${type}`, ...(options.signal ? { signal: options.signal } : {}) },
      (timeout) => {
        const conditions = last?.status?.conditions?.map((condition) => `${condition.type}=${condition.status}`).join(", ") ?? "none";
        const lastError = timeout.lastError instanceof Error ? `; last error: ${timeout.lastError.message}` : "";
        return new Error(`${describeRef(ref)}: condition ${type} not True within ${options.timeoutMs / 1000} s (conditions: ${conditions})${lastError}`);
      },
    );
  }

  /** Polls until the object no longer exists; false if it is still there at the deadline. */
  async waitUntilGone(ref: ChaosRef, options: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal }): Promise<boolean> {
    try {
      return await waitFor(async () => (await this.find(ref)) === undefined, {
        timeoutMs: options.timeoutMs,
        intervalMs: options.intervalMs ?? 200,
        description: `${describeRef(ref)} to be gone`,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (error instanceof WaitTimeoutError) return false;
      throw error;
    }
  }

  private async send(object: ChaosObject, dryRun: "All" | undefined): Promise<ChaosObject> {
    try {
      return (await this.api.createNamespacedCustomObject({
        ...this.resource(object.kind),
        namespace: object.metadata.namespace,
        body: object,
        ...(dryRun ? { dryRun } : {}),
      })) as ChaosObject;
    } catch (error) {
      const message = rejectionMessage(error);
      if (error instanceof ApiException && rejectionCodes.has(error.code) && message) {
        throw new ChaosRejectedError(error.code, `${describeRef(object)} rejected by the cluster${dryRun ? " (dry run)" : ""}: ${message}`, message);
      }
      throw error;
    }
  }

  private resource(kind: ChaosKind): { group: string; version: string; plural: string } {
    return { group: chaosGroup, version: chaosVersion, plural: chaosKinds[kind] };
  }
}
