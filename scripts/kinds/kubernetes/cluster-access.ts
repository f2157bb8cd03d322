// The cluster an environment names (environments.<env>.kubernetes), as a KubeConfig every kind that
// talks to Kubernetes (chaos, scaling, rollouts) resolves the same way: the local test cluster through
// the estate, else a kubeconfig file (relative to the config file) and an optional context. The
// Kubernetes client is loaded on first use, so commands without cluster steps never load it.
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { ToolingError, UsageError } from "../../core/errors.ts";
import { projectRoot } from "../../core/project-root.ts";
import type { RunContext } from "../step-kind.ts";

/** How long the API server may take to answer /version before the cluster counts as unreachable. */
const reachableWithinMs = 10_000;

/** Where the KubeConfig came from, for messages: "the local test cluster", "kubeconfig ~/.kube/config". */
function describeSource(context: RunContext): string {
  const target = context.environment.kubernetes!;
  if (target.local) return "the local test cluster";
  return `environments.${context.environmentName}.kubernetes${target.kubeconfig ? ` (kubeconfig ${target.kubeconfig})` : ""}`;
}

/** The KubeConfig of the environment, without contacting the cluster. */
export async function resolveKubeConfig(context: RunContext): Promise<KubeConfig> {
  const field = `environments.${context.environmentName}.kubernetes`;
  const target = context.environment.kubernetes;
  if (!target) throw new UsageError(`${field}: required for steps that talk to a cluster (e.g. {"local": true} for the local test cluster)`);
  const { KubeConfig } = await import("@kubernetes/client-node");
  const config = new KubeConfig();
  if (target.local) {
    config.loadFromFile((await context.estate.localCluster()).kubeconfig);
  } else if (target.kubeconfig) {
    const path = isAbsolute(target.kubeconfig) ? target.kubeconfig : resolve(projectRoot(), target.kubeconfig);
    if (!existsSync(path)) throw new UsageError(`${field}.kubeconfig: no such file: ${path}`);
    try {
      config.loadFromFile(path);
    } catch (error) {
      throw new UsageError(`${field}.kubeconfig: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  } else {
    try {
      config.loadFromDefault();
    } catch (error) {
      throw new UsageError(`${field}: no kubeconfig found ($KUBECONFIG, ~/.kube/config): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (target.context) {
    if (!config.getContexts().some((candidate) => candidate.name === target.context)) {
      throw new UsageError(`${field}.context: no context '${target.context}' in the kubeconfig (known: ${config.getContexts().map((candidate) => candidate.name).join(", ") || "none"})`);
    }
    config.setCurrentContext(target.context);
  }
  if (!config.getCurrentCluster()) throw new UsageError(`${field}: the kubeconfig has no current cluster`);
  return config;
}

/** Asks the API server for its version; a ToolingError (exit 3) naming the cluster when it does not answer. */
export async function assertReachable(config: KubeConfig, source: string): Promise<void> {
  const server = config.getCurrentCluster()?.server ?? "?";
  const { VersionApi } = await import("@kubernetes/client-node");
  try {
    await Promise.race([
      config.makeApiClient(VersionApi).getCode(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${reachableWithinMs / 1000} s`)), reachableWithinMs).unref()),
    ]);
  } catch (error) {
    throw new ToolingError(`${source}: the Kubernetes API server at ${server} is unreachable: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The environment's cluster, checked to answer: a UsageError (exit 2) when the environment names no
 * cluster or a broken kubeconfig, a ToolingError (exit 3) when the cluster is not running or unreachable.
 */
export async function kubeConfigFor(context: RunContext): Promise<KubeConfig> {
  const config = await resolveKubeConfig(context);
  await assertReachable(config, describeSource(context));
  return config;
}
