// Where the real node keeps its files. Long-lived data (images, kubelet's folders, logs, pid files) lives
// in the cluster's state folder; containerd's runtime state and sockets live under /run, because shim
// socket paths are derived from it and a Unix socket path must stay under 108 bytes.
import { join } from "node:path";
import { clusterName, stateDir } from "../paths.ts";

export const realNodeName = clusterName === "bulwark" ? "bulwark-real-node" : `${clusterName}-real-node`;
/** Only pods that tolerate this taint land on the real node; everything else keeps to the simulated nodes. */
export const realNodeTaint = { key: "bulwark.dev/real-node", value: "true", effect: "NoSchedule" } as const;
export const realNodeLabel = { key: "bulwark.dev/real-node", value: "true" } as const;
/** The pause image containerd uses for pod sandboxes: built locally, never pulled. */
export const pauseImage = "bulwark.local/pause:1";
export const kubeletPort = 10250;

export const realNodePaths = {
  dir: () => join(stateDir(), "real-node"),
  runDir: () => `/run/bulwark-${clusterName}`,
  containerdRoot: () => join(stateDir(), "real-node", "containerd"),
  containerdState: () => join(`/run/bulwark-${clusterName}`, "containerd"),
  containerdSocket: () => join(`/run/bulwark-${clusterName}`, "containerd.sock"),
  containerdConfig: () => join(stateDir(), "real-node", "containerd.toml"),
  kubeletRoot: () => join(stateDir(), "real-node", "kubelet"),
  kubeletConfig: () => join(stateDir(), "real-node", "kubelet.yaml"),
  kubeletKubeconfig: () => join(stateDir(), "real-node", "kubelet.kubeconfig"),
  podLogs: () => join(stateDir(), "real-node", "pod-logs"),
  cniConfDir: () => join(stateDir(), "real-node", "cni", "conf"),
  cniBinDir: () => join(stateDir(), "real-node", "cni", "bin"),
  cniIpamDir: () => join(stateDir(), "real-node", "cni", "ipam"),
  /** the API server, reached from inside the namespace through this socket */
  apiSocket: () => join(stateDir(), "real-node", "api.sock"),
  logs: () => join(stateDir(), "real-node", "logs"),
  pids: () => join(stateDir(), "real-node", "pids"),
  /** cgroup parent of everything the node runs (kubelet's cgroupRoot), in every hierarchy */
  cgroupRoot: () => `/bulwark-${clusterName}`,
};
