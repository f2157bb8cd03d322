// The real node's configuration files: containerd (its own root, state and socket next to Docker's),
// the CNI bridge inside the namespace, kubelet, and kubelet's kubeconfig.
import type { RealNodeNetwork } from "./network.ts";
import { kubeletPort, pauseImage, realNodePaths, realNodeTaint } from "./layout.ts";

export function containerdConfig(runcBinary: string): string {
  const quote = (value: string) => JSON.stringify(value);
  return [
    "version = 3",
    `root = ${quote(realNodePaths.containerdRoot())}`,
    `state = ${quote(realNodePaths.containerdState())}`,
    "",
    "[grpc]",
    `  address = ${quote(realNodePaths.containerdSocket())}`,
    "",
    '[plugins."io.containerd.cri.v1.images"]',
    '  snapshotter = "overlayfs"',
    '[plugins."io.containerd.cri.v1.images".pinned_images]',
    `  sandbox = ${quote(pauseImage)}`,
    "",
    '[plugins."io.containerd.cri.v1.runtime"]',
    // This sandbox refuses lowering OOM scores; without this runc init fails for every container.
    "  restrict_oom_score_adj = true",
    "  disable_apparmor = true",
    // Pod network namespaces under containerd's own state folder (not /run/netns), so that cleanup after
    // a crash finds them with the node's other mounts.
    "  netns_mounts_under_state_dir = true",
    '[plugins."io.containerd.cri.v1.runtime".containerd]',
    '  default_runtime_name = "runc"',
    '[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]',
    '  runtime_type = "io.containerd.runc.v2"',
    '[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]',
    // No systemd here (PID 1 is not an init system): the cgroupfs driver, like kubelet's.
    "  SystemdCgroup = false",
    `  BinaryName = ${quote(runcBinary)}`,
    '[plugins."io.containerd.cri.v1.runtime".cni]',
    `  bin_dirs = [${quote(realNodePaths.cniBinDir())}]`,
    `  conf_dir = ${quote(realNodePaths.cniConfDir())}`,
    "",
  ].join("\n");
}

/** One bridge inside the namespace; the host reaches the pod range through a route via the node IP. */
export function cniConfig(network: RealNodeNetwork): object {
  return {
    cniVersion: "1.0.0",
    name: "bulwark",
    plugins: [
      {
        type: "bridge",
        bridge: "cni0",
        isGateway: true,
        // pods answer the host (the front, the API server's proxy) through the bridge: a default route
        isDefaultGateway: true,
        ipMasq: false,
        ipam: { type: "host-local", ranges: [[{ subnet: network.podCidr }]], dataDir: realNodePaths.cniIpamDir() },
      },
    ],
  };
}

export function kubeletConfig(network: RealNodeNetwork, caFile: string): object {
  return {
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    // This machine runs cgroup v1 (hybrid) without systemd.
    failCgroupV1: false,
    cgroupDriver: "cgroupfs",
    cgroupRoot: realNodePaths.cgroupRoot(),
    containerRuntimeEndpoint: `unix://${realNodePaths.containerdSocket()}`,
    address: network.nodeIp,
    port: kubeletPort,
    readOnlyPort: 0,
    healthzBindAddress: "127.0.0.1",
    healthzPort: 10248,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: caFile } },
    authorization: { mode: "Webhook" },
    failSwapOn: false,
    podLogsDirectory: realNodePaths.podLogs(),
    registerWithTaints: [realNodeTaint],
    maxPods: 30,
    resolvConf: "/etc/resolv.conf",
    // A shared development machine's disk may be fuller than kubelet's defaults allow; evicting the demo
    // pods for that would only confuse the tests.
    evictionHard: { "memory.available": "100Mi", "nodefs.available": "1%", "imagefs.available": "1%", "nodefs.inodesFree": "1%" },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    // Quick status so a deleted pod's replacement is reported Ready within a second or two.
    nodeStatusUpdateFrequency: "5s",
    syncFrequency: "10s",
    serializeImagePulls: false,
    localStorageCapacityIsolation: false,
  };
}

export function kubeletKubeconfig(server: string, caFile: string, certFile: string, keyFile: string): object {
  return {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "local", cluster: { server, "certificate-authority": caFile } }],
    users: [{ name: "kubelet", user: { "client-certificate": certFile, "client-key": keyFile } }],
    contexts: [{ name: "local", context: { cluster: "local", user: "kubelet" } }],
    "current-context": "local",
  };
}
