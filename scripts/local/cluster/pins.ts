// Pinned, mutually compatible versions of every cluster component, all served by the Go module proxy.
// Changing a pin rebuilds only the component it belongs to (build outputs are keyed by their recipe).

/** Kubernetes control plane and kubectl; the staging modules (k8s.io/api, ...) are released as v0.<minor>.<patch>. */
export const kubernetesVersion = "v1.36.3";
/** etcd server as Kubernetes 1.36 ships it (its client libraries in k8s.io/kubernetes are 3.6.x). */
export const etcdVersion = "v3.6.16";
/** KWOK 0.8 is built against Kubernetes 1.36 libraries. */
export const kwokVersion = "v0.8.0";
export const metricsServerVersion = "v0.9.0";
/**
 * The real node's runtime. Kubernetes 1.36 needs containerd 2.x (Debian's 1.6 is too old); these are the
 * newest releases the Go module proxy serves that build with our Go. kubelet itself comes from kubernetesVersion.
 */
export const containerdVersion = "v2.4.2";
export const runcVersion = "v1.5.3";
export const cniPluginsVersion = "v1.10.0";
/**
 * Chaos Mesh has no /v2 module path, so its releases cannot be required as modules: pin a commit.
 * Its api/ folder is a nested module that the proxy serves only at this (slightly later) commit.
 */
export const chaosMeshVersion = "v0.9.1-0.20260902003049-47411975a8cb";
export const chaosMeshApiVersion = "v0.0.0-20260906172039-d70b66ad97ac";

/** The staging module version that matches a Kubernetes release: v1.36.3 -> v0.36.3. */
export function stagingVersion(kubernetes: string): string {
  const match = /^v1\.(\d+\.\d+)$/.exec(kubernetes);
  if (!match) throw new Error(`not a Kubernetes release version: ${kubernetes}`);
  return `v0.${match[1]}`;
}
