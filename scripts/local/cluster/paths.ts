// Where the running cluster keeps its state: inside the repository's ignored .bulwark/ folder, so that
// `bulwark local kubeconfig` gives the same path every time and `down` can remove all of it.
import { join } from "node:path";
import { repoPath } from "../../core/repo-root.ts";
import { cacheDir } from "../../core/cache-dir.ts";
import type { LockOptions } from "../../core/process-lock.ts";

/**
 * BULWARK_CLUSTER_NAME selects a second, independent cluster (its own state folder, processes, ports
 * and real-node network), so one can be developed or tested next to the shared one; unset, it is "bulwark".
 */
export const clusterName = process.env.BULWARK_CLUSTER_NAME ?? "bulwark";

export function stateDir(): string {
  return process.env.BULWARK_CLUSTER_STATE_DIR ?? repoPath(".bulwark", clusterName === "bulwark" ? "cluster" : `cluster-${clusterName}`);
}

export const statePaths = {
  kubeconfig: () => join(stateDir(), "kubeconfig"),
  kwokWorkdir: () => join(stateDir(), "kwok"),
  kwokClusterDir: () => join(stateDir(), "kwok", "clusters", clusterName),
  kwokctlConfig: () => join(stateDir(), "kwokctl.yaml"),
  chaosDir: () => join(stateDir(), "chaos-mesh"),
  chaosPidFile: () => join(stateDir(), "chaos-mesh", "controller-manager.pid"),
  chaosLog: () => join(stateDir(), "chaos-mesh", "controller-manager.log"),
  chaosState: () => join(stateDir(), "chaos-mesh", "state.json"),
  chaosCertDir: () => join(stateDir(), "chaos-mesh", "certs"),
};

/** Lock of one cluster operation (build, up/down), shared by every checkout on this machine. */
export const clusterLockPath = (name: string): string => cacheDir("cluster", "locks", clusterName === "bulwark" || name.startsWith("cluster-build") ? name : `${name}-${clusterName}`);

/** Tells the user why `up` seems to hang: another bulwark process is doing the same thing. */
export function waitingFor(name: string, log: (line: string) => void): LockOptions {
  return {
    timeoutMs: 90 * 60_000,
    onWait: (holder) => log(`cluster: waiting for another bulwark process (pid ${holder ?? "unknown"}) to finish ${name}`),
  };
}
