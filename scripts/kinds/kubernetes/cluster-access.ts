// The cluster an environment names (environments.<env>.kubernetes), as a KubeConfig every kind that
// talks to Kubernetes (chaos, scaling, rollouts) resolves the same way: the local test cluster through
// the estate, else a kubeconfig file (relative to the config file) and an optional context. The
// Kubernetes client is loaded on first use, so commands without cluster steps never load it.
import { existsSync, statSync } from "node:fs";
import { delimiter, isAbsolute, resolve } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { ToolingError, UsageError } from "../../core/errors.ts";
import { projectRoot } from "../../core/project-root.ts";
import { quoteName, withoutUrlCredentials } from "../../core/quote-value.ts";
import type { RunContext } from "../step-kind.ts";

/** How long the API server may take to answer /version before the cluster counts as unreachable. */
const reachableWithinMs = 10_000;

/** Where the KubeConfig came from, for messages: "the local test cluster", "kubeconfig ~/.kube/config". */
function describeSource(context: RunContext): string {
  const target = context.environment.kubernetes!;
  if (target.local) return "the local test cluster";
  return `environments.${context.environmentName}.kubernetes${target.kubeconfig ? ` (kubeconfig ${target.kubeconfig})` : ""}`;
}

/** A kubeconfig is a small YAML file; anything larger (or a device such as /dev/zero) is a mistake. */
const largestKubeconfigBytes = 16 * 1024 * 1024;

/** A path or value as a message shows it: one line, whatever the file system allows in names. */
const shown = (text: string): string => JSON.stringify(withoutUrlCredentials(text)).slice(1, -1);
const oneLine = (text: string): string => withoutUrlCredentials(text).replace(/\s*\n\s*/g, " ").trim();
/** A parser's complaint without the excerpt of the file it quotes below its first line (the file may hold secrets). */
const firstLine = (text: string): string => withoutUrlCredentials(text.split("\n")[0] ?? "").trim();

/** Why a kubeconfig file cannot be loaded before reading it, or undefined. */
function kubeconfigFileProblem(path: string): string | undefined {
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR" ? `no such file: ${shown(path)}` : `cannot read ${shown(path)} (${code ?? String(error)})`;
  }
  if (!stats.isFile()) return `not a regular file: ${shown(path)}`;
  if (stats.size > largestKubeconfigBytes) return `${shown(path)} is ${stats.size} bytes; a kubeconfig is at most ${largestKubeconfigBytes} bytes`;
  return undefined;
}

function loadKubeconfigFile(config: KubeConfig, path: string, field: string): void {
  const problem = kubeconfigFileProblem(path);
  if (problem) throw new UsageError(`${field}: ${problem}`);
  try {
    config.loadFromFile(path);
  } catch (error) {
    throw new UsageError(`${field}: cannot read ${shown(path)}: ${firstLine(error instanceof Error ? error.message : String(error))}`);
  }
}

/** What the client would trip over later (as an "unreachable" cluster): the server URL and the files the kubeconfig names. */
function checkCurrentCluster(config: KubeConfig, field: string): void {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new UsageError(`${field}: the kubeconfig has no current cluster`);
  let server: URL | undefined;
  try {
    server = new URL(cluster.server);
  } catch {
    server = undefined;
  }
  if (!server || (server.protocol !== "https:" && server.protocol !== "http:")) throw new UsageError(`${field}: cluster ${quoteName(cluster.name)} has server ${quoteName(cluster.server)}, not an http(s) URL`);
  if (server.username !== "" || server.password !== "") throw new UsageError(`${field}: cluster ${quoteName(cluster.name)} has credentials in its server URL; put them in the kubeconfig's user`);
  const user = config.getCurrentUser();
  const files = [
    ["certificate-authority", cluster.caFile],
    ["client-certificate", user?.certFile],
    ["client-key", user?.keyFile],
  ] as const;
  for (const [key, file] of files) {
    if (file !== undefined && file !== "" && !existsSync(file)) throw new UsageError(`${field}: the kubeconfig's ${key} ${shown(file)} does not exist`);
  }
}

/** The KubeConfig of the environment, without contacting the cluster. */
export async function resolveKubeConfig(context: RunContext): Promise<KubeConfig> {
  const field = `environments.${context.environmentName}.kubernetes`;
  const target = context.environment.kubernetes;
  if (!target) throw new UsageError(`${field}: required for steps that talk to a cluster (e.g. {"local": true} for the local test cluster)`);
  const { KubeConfig } = await import("@kubernetes/client-node");
  const config = new KubeConfig();
  if (target.local) {
    loadKubeconfigFile(config, (await context.estate.localCluster()).kubeconfig, `${field}.local`);
  } else if (target.kubeconfig) {
    const path = isAbsolute(target.kubeconfig) ? target.kubeconfig : resolve(projectRoot(), target.kubeconfig);
    loadKubeconfigFile(config, path, `${field}.kubeconfig`);
  } else {
    for (const path of (process.env.KUBECONFIG ?? "").split(delimiter).filter(Boolean)) {
      const problem = existsSync(path) ? kubeconfigFileProblem(path) : undefined;
      if (problem) throw new UsageError(`KUBECONFIG (${field} names no kubeconfig): ${problem}`);
    }
    try {
      config.loadFromDefault();
    } catch (error) {
      throw new UsageError(`${field}: no kubeconfig found ($KUBECONFIG, ~/.kube/config): ${firstLine(error instanceof Error ? error.message : String(error))}`);
    }
  }
  if (target.context) {
    if (!config.getContexts().some((candidate) => candidate.name === target.context)) {
      throw new UsageError(`${field}.context: no context ${quoteName(target.context)} in the kubeconfig (known: ${config.getContexts().map((candidate) => candidate.name).join(", ") || "none"})`);
    }
    config.setCurrentContext(target.context);
  }
  checkCurrentCluster(config, field);
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
    throw new ToolingError(`${source}: the Kubernetes API server at ${withoutUrlCredentials(server)} is unreachable: ${oneLine(error instanceof Error ? error.message : String(error))}`);
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
