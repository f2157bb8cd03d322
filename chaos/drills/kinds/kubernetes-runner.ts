import type * as K8s from "@kubernetes/client-node";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { KubernetesDrill } from "../definition.ts";
import type { KindPlan, KindRunner, RunnerContext } from "../kind-runner.ts";
import { errorText, sleep } from "../sql.ts";
import type { StepOutput } from "../steps.ts";

/** Velero's terminal Restore phases; only Completed is a successful restore. */
export const veleroTerminalPhases = ["Completed", "PartiallyFailed", "Failed", "FailedValidation"] as const;

const isNotFound = (error: unknown): boolean => (error as { code?: number }).code === 404;

/**
 * Kubernetes: the disaster deletes a namespace, StatefulSet or PersistentVolumeClaim and waits until it
 * is gone; the restore creates a Velero Restore (or a Job) and follows it to a terminal state.
 */
export class KubernetesRunner implements KindRunner {
  readonly paths: Record<string, string> = {};
  readonly sqlEndpoint;
  #client: { k8s: typeof K8s; config: K8s.KubeConfig } | null = null;

  constructor(
    private readonly definition: KubernetesDrill,
    private readonly context: RunnerContext,
  ) {
    const dataStore = definition.dataStore;
    this.sqlEndpoint = dataStore ? () => process.env[dataStore.urlEnv] ?? null : null;
  }

  plan(): KindPlan {
    const { disaster, restore } = this.definition;
    const what = disaster.resource === "namespace" ? `namespace ${disaster.name}` : `${disaster.resource} ${disaster.namespace}/${disaster.name}`;
    return {
      where: `Kubernetes context ${this.definition.context ?? "(current)"}`,
      setup: ["check the cluster answers"],
      disaster: `delete ${what} and wait until it is gone`,
      restore:
        "velero" in restore
          ? `create a Velero Restore of backup ${restore.velero.backupName} in namespace ${restore.velero.namespace} and follow it to Completed, PartiallyFailed, Failed or FailedValidation`
          : `create a Job in namespace ${restore.job.namespace} and follow it until it succeeds or fails`,
      teardown: [],
    };
  }

  async setup(output: StepOutput): Promise<void> {
    // Loaded on demand: the client pulls in a large HTTP stack that other drill kinds never need.
    const k8s = await import("@kubernetes/client-node");
    const config = new k8s.KubeConfig();
    // Without any kubeconfig the client would silently aim at http://localhost:8080.
    if (!process.env.KUBECONFIG && !process.env.KUBERNETES_SERVICE_HOST && !existsSync(join(homedir(), ".kube", "config"))) {
      throw new Error("no kubeconfig: set KUBECONFIG (for the local test cluster: export KUBECONFIG=$(bulwark local kubeconfig))");
    }
    config.loadFromDefault();
    if (this.definition.context) config.setCurrentContext(this.definition.context);
    this.#client = { k8s, config };
    const version = await config.makeApiClient(k8s.VersionApi).getCode();
    output.append(`cluster ${config.getCurrentCluster()?.server ?? "?"}: Kubernetes ${version.gitVersion}`);
  }

  #api(): { k8s: typeof K8s; config: K8s.KubeConfig } {
    if (!this.#client) throw new Error("the Kubernetes client is not loaded (setup did not run)");
    return this.#client;
  }

  async disaster(output: StepOutput): Promise<void> {
    const { resource, name, namespace = "" } = this.definition.disaster;
    const { k8s, config } = this.#api();
    const core = config.makeApiClient(k8s.CoreV1Api);
    const apps = config.makeApiClient(k8s.AppsV1Api);
    const remove = {
      namespace: () => core.deleteNamespace({ name }),
      statefulset: () => apps.deleteNamespacedStatefulSet({ name, namespace, propagationPolicy: "Foreground" }),
      pvc: () => core.deleteNamespacedPersistentVolumeClaim({ name, namespace }),
    }[resource];
    const read = {
      namespace: () => core.readNamespace({ name }),
      statefulset: () => apps.readNamespacedStatefulSet({ name, namespace }),
      pvc: () => core.readNamespacedPersistentVolumeClaim({ name, namespace }),
    }[resource];
    await remove();
    output.append(`deletion of ${resource} ${name} requested`);
    for (;;) {
      try {
        await read();
      } catch (error) {
        if (isNotFound(error)) break;
        throw error;
      }
      if (this.context.signal.aborted) throw new Error("interrupted while waiting for the deletion");
      await sleep(1000, this.context.signal);
    }
    output.append(`${resource} ${name} is gone`);
  }

  async restore(output: StepOutput, signal: AbortSignal): Promise<void> {
    const restore = this.definition.restore;
    const { k8s, config } = this.#api();
    const suffix = `${this.context.runId.slice(-4)}-${randomBytes(2).toString("hex")}`;
    if ("velero" in restore) {
      const objects = config.makeApiClient(k8s.CustomObjectsApi);
      const name = `bulwark-drill-${suffix}`;
      const { namespace, backupName, includedNamespaces } = restore.velero;
      await objects.createNamespacedCustomObject({
        group: "velero.io",
        version: "v1",
        namespace,
        plural: "restores",
        body: {
          apiVersion: "velero.io/v1",
          kind: "Restore",
          metadata: { name, namespace, labels: { "app.kubernetes.io/managed-by": "bulwark" } },
          spec: { backupName, ...(includedNamespaces ? { includedNamespaces } : {}) },
        },
      });
      output.append(`created Restore ${namespace}/${name} of backup ${backupName}`);
      let lastPhase = "";
      for (;;) {
        const object = (await objects.getNamespacedCustomObject({ group: "velero.io", version: "v1", namespace, plural: "restores", name })) as { status?: { phase?: string; errors?: number; warnings?: number; failureReason?: string } };
        const phase = object.status?.phase ?? "New";
        if (phase !== lastPhase) output.append(`Restore ${name}: ${phase}`);
        lastPhase = phase;
        if ((veleroTerminalPhases as readonly string[]).includes(phase)) {
          const { errors = 0, warnings = 0, failureReason } = object.status ?? {};
          output.append(`errors ${errors}, warnings ${warnings}${failureReason ? `, reason: ${failureReason}` : ""}`);
          if (phase !== "Completed") throw new Error(`Velero Restore ended in phase ${phase}`);
          return;
        }
        if (signal.aborted) throw new Error(`Velero Restore still ${phase} when the restore timed out`);
        await sleep(2000, signal);
      }
    }
    const batch = config.makeApiClient(k8s.BatchV1Api);
    const { namespace, manifest } = restore.job;
    const job = structuredClone(manifest) as K8s.V1Job;
    job.metadata = { ...(job.metadata ?? {}), name: `${job.metadata?.name ?? "bulwark-restore"}-${suffix}`, namespace };
    const created = await batch.createNamespacedJob({ namespace, body: job });
    const name = created.metadata?.name ?? "";
    output.append(`created Job ${namespace}/${name}`);
    for (;;) {
      const current = await batch.readNamespacedJob({ name, namespace });
      const conditions = current.status?.conditions ?? [];
      if (conditions.some((condition) => condition.type === "Complete" && condition.status === "True")) {
        output.append(`Job ${name} completed`);
        return;
      }
      const failed = conditions.find((condition) => condition.type === "Failed" && condition.status === "True");
      if (failed) throw new Error(`restore Job ${name} failed: ${failed.reason ?? ""} ${failed.message ?? ""}`.trim());
      if (signal.aborted) throw new Error(`restore Job ${name} still running when the restore timed out`);
      await sleep(2000, signal);
    }
  }

  async versions(): Promise<Record<string, string>> {
    try {
      const { k8s, config } = this.#api();
      const version = await config.makeApiClient(k8s.VersionApi).getCode();
      return { kubernetes: version.gitVersion };
    } catch (error) {
      return { kubernetes: `unknown (${errorText(error)})` };
    }
  }

  async teardown(): Promise<void> {}
}
