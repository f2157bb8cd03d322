// `bulwark chaos sweep`: every Chaos Mesh object labelled by bulwark in the namespaces the environment
// lets chaos touch (or in every namespace with --all-namespaces) is deleted, stuck finalizers forced
// with Chaos Mesh's documented annotation (the faults library's sweep). Each removal is audited.
import { audit } from "../../scripts/core/audit-log.ts";
import { UsageError } from "../../scripts/core/errors.ts";
import { newRunId } from "../../scripts/core/run-directory.ts";
import type { RunContext } from "../../scripts/kinds/step-kind.ts";
import { ChaosApi, runIdLabel, sweep, type SweepResult } from "../faults/index.ts";

export interface EnvironmentSweep extends SweepResult {
  /** namespaces searched; "*" for all */
  namespaces: string[];
}

export async function sweepEnvironment(context: RunContext, options: { allNamespaces: boolean }): Promise<EnvironmentSweep> {
  const kubernetes = context.environment.kubernetes;
  if (!kubernetes) throw new UsageError(`environments.${context.environmentName}.kubernetes: no cluster to sweep in environment '${context.environmentName}'`);
  const { kubeConfigFor } = await import("../../scripts/kinds/kubernetes/cluster-access.ts");
  const api = new ChaosApi(await kubeConfigFor(context));
  const namespaces = options.allNamespaces ? ["*"] : kubernetes.chaosNamespaces;
  const inScope = (namespace: string) => options.allNamespaces || kubernetes.chaosNamespaces.includes(namespace);
  // Listed namespace by namespace unless asked for all: a namespaced Role (bulwark inside the cluster) allows only that.
  const scope = options.allNamespaces ? {} : { namespaces: kubernetes.chaosNamespaces };
  const managed = await api.listManaged(scope);
  const runs = new Set(managed.filter((object) => inScope(object.metadata.namespace)).map((object) => object.metadata.labels[runIdLabel] ?? ""));
  const total: EnvironmentSweep = { removed: [], stuck: [], namespaces };
  const sweepRunId = newRunId("chaos", "sweep");
  for (const runId of runs) {
    // Without a run id only a sweep of everything would find it: that is --all-namespaces' job.
    if (!runId && !options.allNamespaces) continue;
    const result = await sweep(api, { ...(runId ? { runId } : {}), ...scope, signal: context.abortSignal, log: context.log });
    for (const object of [...result.removed, ...result.stuck]) {
      if (!inScope(object.namespace)) continue;
      const stuck = result.stuck.includes(object as SweepResult["stuck"][number]);
      await audit({ action: "chaos sweep", target: `${object.kind} ${object.namespace}/${object.name}`, environment: context.environmentName, runId: sweepRunId, result: stuck ? "failed" : "reverted", detail: `${object.forced ? "forced clean; " : ""}left by run ${object.runId ?? "unknown"}` });
    }
    total.removed.push(...result.removed);
    total.stuck.push(...result.stuck);
  }
  return total;
}
