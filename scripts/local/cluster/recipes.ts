// What to build for the cluster, and how. Each recipe is one wrapper Go module; its binaries are built
// in one `go build` invocation so that they share the compile.
import { chaosMeshApiVersion, chaosMeshVersion, cniPluginsVersion, containerdVersion, etcdVersion, kubernetesVersion, kwokVersion, metricsServerVersion, runcVersion, stagingVersion } from "./pins.ts";

export interface GoRecipe {
  /** names the wrapper module and its cache folders */
  name: string;
  module: string;
  version: string;
  /** how upstream `replace X => ./folder` directives become published versions (description is part of the cache key) */
  localReplacement: { describe: string; versionFor: (modulePath: string) => string | undefined };
  /** main packages and the file name each one is written to */
  binaries: { package: string; file: string }[];
  /** -X assignments: version strings the binaries report (kwokctl reads them to pick flags) */
  versionVariables: Record<string, string>;
  /** files or folders of the upstream module copied next to the binaries (for example CRD manifests) */
  assets?: { from: string; to: string }[];
  /** further modules required next to `module`, so that their binaries share one module graph and one compile */
  alsoRequires?: Record<string, string>;
  /** cgo on (runc's nsenter is C) and build tags */
  cgo?: boolean;
  tags?: string[];
  /** only the real node needs it: `up` without --real-node does not build it */
  realNodeOnly?: boolean;
}

export type BinaryName =
  | "kube-apiserver"
  | "kube-controller-manager"
  | "kube-scheduler"
  | "kubectl"
  | "etcd"
  | "kwok"
  | "kwokctl"
  | "metrics-server"
  | "chaos-controller-manager"
  | "kubelet"
  | "containerd"
  | "containerd-shim-runc-v2"
  | "ctr"
  | "runc"
  | "cni-bridge"
  | "cni-host-local"
  | "cni-loopback";

function kubernetesVersionVariables(version: string): Record<string, string> {
  const [major = "", minor = ""] = version.replace(/^v/, "").split(".");
  const variables: Record<string, string> = {};
  for (const pkg of ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"]) {
    Object.assign(variables, {
      [`${pkg}.gitVersion`]: version,
      [`${pkg}.gitMajor`]: major,
      [`${pkg}.gitMinor`]: minor,
      [`${pkg}.gitTreeState`]: "clean",
    });
  }
  return variables;
}

const noLocalReplaces = { describe: "none", versionFor: () => undefined };

export const recipes: GoRecipe[] = [
  {
    name: "etcd",
    module: "go.etcd.io/etcd/server/v3",
    version: etcdVersion,
    // etcd's server points its sibling modules (api, client, pkg) at folders of the same repository.
    localReplacement: {
      describe: `go.etcd.io/etcd/* at ${etcdVersion}`,
      versionFor: (path) => (path.startsWith("go.etcd.io/etcd/") ? etcdVersion : undefined),
    },
    binaries: [{ package: "go.etcd.io/etcd/server/v3", file: "etcd" }],
    versionVariables: {},
  },
  {
    name: "kwok",
    module: "sigs.k8s.io/kwok",
    version: kwokVersion,
    localReplacement: noLocalReplaces,
    binaries: [
      { package: "sigs.k8s.io/kwok/cmd/kwok", file: "kwok" },
      { package: "sigs.k8s.io/kwok/cmd/kwokctl", file: "kwokctl" },
    ],
    versionVariables: { "sigs.k8s.io/kwok/pkg/consts.Version": kwokVersion.replace(/^v/, "") },
  },
  {
    name: "metrics-server",
    module: "sigs.k8s.io/metrics-server",
    version: metricsServerVersion,
    localReplacement: noLocalReplaces,
    binaries: [{ package: "sigs.k8s.io/metrics-server/cmd/metrics-server", file: "metrics-server" }],
    versionVariables: { "k8s.io/client-go/pkg/version.gitVersion": metricsServerVersion },
    // RBAC, Service and APIService for the aggregation layer; kwokctl would otherwise download them from GitHub.
    assets: [{ from: "manifests/base", to: "manifests" }],
  },
  {
    name: "kubernetes",
    module: "k8s.io/kubernetes",
    version: kubernetesVersion,
    // k8s.io/kubernetes replaces every staging module with ./staging/src/k8s.io/<name>; each is published
    // as k8s.io/<name> v0.<minor>.<patch>.
    localReplacement: {
      describe: `k8s.io/* at ${stagingVersion(kubernetesVersion)}`,
      versionFor: (path) => (path.startsWith("k8s.io/") ? stagingVersion(kubernetesVersion) : undefined),
    },
    binaries: ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"].map((name) => ({
      package: `k8s.io/kubernetes/cmd/${name}`,
      file: name,
    })),
    versionVariables: kubernetesVersionVariables(kubernetesVersion),
  },
  {
    // Same module and pins as the control plane: its libraries come from the Go build cache that the
    // kubernetes recipe filled, so only kubelet's own packages compile.
    name: "kubelet",
    module: "k8s.io/kubernetes",
    version: kubernetesVersion,
    localReplacement: {
      describe: `k8s.io/* at ${stagingVersion(kubernetesVersion)}`,
      versionFor: (path) => (path.startsWith("k8s.io/") ? stagingVersion(kubernetesVersion) : undefined),
    },
    binaries: [{ package: "k8s.io/kubernetes/cmd/kubelet", file: "kubelet" }],
    versionVariables: kubernetesVersionVariables(kubernetesVersion),
    realNodeOnly: true,
  },
  {
    // containerd, runc and the CNI plugins in one module graph and one `go build`: their shared
    // libraries (netlink, runtime-spec, cgroups, ...) compile once. cgo for runc; `seccomp` links
    // libseccomp (libseccomp-dev), `no_btrfs` drops the snapshotter that needs btrfs headers.
    name: "node-runtime",
    module: "github.com/containerd/containerd/v2",
    version: containerdVersion,
    alsoRequires: { "github.com/opencontainers/runc": runcVersion, "github.com/containernetworking/plugins": cniPluginsVersion },
    localReplacement: noLocalReplaces,
    binaries: [
      { package: "github.com/containerd/containerd/v2/cmd/containerd", file: "containerd" },
      { package: "github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2", file: "containerd-shim-runc-v2" },
      { package: "github.com/containerd/containerd/v2/cmd/ctr", file: "ctr" },
      { package: "github.com/opencontainers/runc", file: "runc" },
      { package: "github.com/containernetworking/plugins/plugins/main/bridge", file: "cni-bridge" },
      { package: "github.com/containernetworking/plugins/plugins/main/loopback", file: "cni-loopback" },
      { package: "github.com/containernetworking/plugins/plugins/ipam/host-local", file: "cni-host-local" },
    ],
    versionVariables: {
      "github.com/containerd/containerd/v2/version.Version": containerdVersion,
      "main.version": runcVersion.replace(/^v/, ""),
    },
    cgo: true,
    tags: ["seccomp", "no_btrfs"],
    realNodeOnly: true,
  },
  {
    name: "chaos-mesh",
    module: "github.com/chaos-mesh/chaos-mesh",
    version: chaosMeshVersion,
    localReplacement: {
      describe: `chaos-mesh/api at ${chaosMeshApiVersion}`,
      versionFor: (path) => (path === "github.com/chaos-mesh/chaos-mesh/api" ? chaosMeshApiVersion : undefined),
    },
    binaries: [{ package: "github.com/chaos-mesh/chaos-mesh/cmd/chaos-controller-manager", file: "chaos-controller-manager" }],
    versionVariables: { "github.com/chaos-mesh/chaos-mesh/pkg/version.gitVersion": chaosMeshVersion },
    assets: [{ from: "manifests/crd.yaml", to: "crd.yaml" }],
  },
];
