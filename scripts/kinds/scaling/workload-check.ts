// Before any load: the check's Deployment and HPA exist, and the HPA scales that Deployment. A missing
// one is bad input (exit 2) naming the config key; a cluster that refuses to answer is tooling (exit 3).
import type { KubeConfig } from "@kubernetes/client-node";
import { ToolingError, UsageError } from "../../core/errors.ts";
import { hpaNameOf, type ScalingCheck } from "./definition.ts";
import { statusOf } from "./list-watch.ts";
import { stringAt } from "./observe.ts";

export async function assertWorkloadExists(config: KubeConfig, checkName: string, check: ScalingCheck): Promise<void> {
  const k8s = await import("@kubernetes/client-node");
  const { namespace, deployment } = check.workload;
  const hpa = hpaNameOf(check);
  const key = `scalingChecks.${checkName}.workload`;
  const read = async <T>(what: string, field: string, get: () => Promise<T>): Promise<T> => {
    try {
      return await get();
    } catch (error) {
      const status = statusOf(error);
      if (status === 404) throw new UsageError(`${key}.${field}: ${what} not found in the cluster`);
      if (status === 401 || status === 403) throw new ToolingError(`${key}.${field}: the cluster refused to read ${what} (${status}): grant get, list and watch (the Role in docs/scaling.md)`);
      throw new ToolingError(`${key}.${field}: cannot read ${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  await read(`Deployment ${namespace}/${deployment}`, "deployment", () => config.makeApiClient(k8s.AppsV1Api).readNamespacedDeployment({ name: deployment, namespace }));
  const autoscaler = await read(`HorizontalPodAutoscaler ${namespace}/${hpa}`, check.workload.hpa ? "hpa" : "hpa (default: the Deployment's name)", () =>
    config.makeApiClient(k8s.AutoscalingV2Api).readNamespacedHorizontalPodAutoscaler({ name: hpa, namespace }),
  );
  const targetKind = stringAt(autoscaler, "spec", "scaleTargetRef", "kind");
  const targetName = stringAt(autoscaler, "spec", "scaleTargetRef", "name");
  if (targetKind !== "Deployment" || targetName !== deployment) {
    throw new UsageError(`${key}.hpa: HorizontalPodAutoscaler ${namespace}/${hpa} scales ${targetKind ?? "?"}/${targetName ?? "?"}, not Deployment/${deployment}`);
  }
}
