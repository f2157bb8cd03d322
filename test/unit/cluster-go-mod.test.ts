import { describe, expect, it } from "vitest";
import { defaultBinaryName } from "../../scripts/local/cluster/build.ts";
import { maxGoVersion, parseReplaces, renderWrapperGoMod } from "../../scripts/local/cluster/go-mod.ts";
import { stagingVersion } from "../../scripts/local/cluster/pins.ts";

const upstream = `module k8s.io/kubernetes

go 1.26.0

require k8s.io/api v0.0.0

replace (
	k8s.io/api => ./staging/src/k8s.io/api
	k8s.io/client-go => ./staging/src/k8s.io/client-go // comment
)

replace github.com/opencontainers/runtime-spec => github.com/opencontainers/runtime-spec v1.2.0
replace go.etcd.io/etcd => ./FORBIDDEN_DEPENDENCY
`;

describe("wrapper go.mod generation", () => {
  it("reads replace blocks and single-line replaces", () => {
    expect(parseReplaces(upstream)).toEqual([
      { from: "k8s.io/api", to: "./staging/src/k8s.io/api" },
      { from: "k8s.io/client-go", to: "./staging/src/k8s.io/client-go" },
      { from: "github.com/opencontainers/runtime-spec", to: "github.com/opencontainers/runtime-spec v1.2.0" },
      { from: "go.etcd.io/etcd", to: "./FORBIDDEN_DEPENDENCY" },
    ]);
  });

  it("turns folder replaces into published versions, copies the others and drops the unmapped ones", () => {
    const goMod = renderWrapperGoMod({
      module: "bulwark.local/cluster/kubernetes",
      goVersion: "1.26.0",
      requires: { "k8s.io/kubernetes": "v1.36.3" },
      upstreamReplaces: parseReplaces(upstream),
      localReplacement: (path) => (path.startsWith("k8s.io/") ? stagingVersion("v1.36.3") : undefined),
      tools: ["k8s.io/kubernetes/cmd/kubectl"],
    });
    expect(goMod).toContain("\tk8s.io/api => k8s.io/api v0.36.3\n");
    expect(goMod).toContain("\tk8s.io/client-go => k8s.io/client-go v0.36.3\n");
    expect(goMod).toContain("\tgithub.com/opencontainers/runtime-spec => github.com/opencontainers/runtime-spec v1.2.0\n");
    expect(goMod).not.toContain("FORBIDDEN");
    expect(goMod).toContain("\tk8s.io/kubernetes v1.36.3\n");
    expect(goMod).toContain("tool (\n\tk8s.io/kubernetes/cmd/kubectl\n)");
  });

  it("maps Kubernetes releases to staging versions and names binaries like go build does", () => {
    expect(stagingVersion("v1.36.3")).toBe("v0.36.3");
    expect(() => stagingVersion("v0.9.0")).toThrow();
    expect(defaultBinaryName("go.etcd.io/etcd/server/v3")).toBe("server");
    expect(defaultBinaryName("k8s.io/kubernetes/cmd/kube-apiserver")).toBe("kube-apiserver");
    expect(maxGoVersion("1.25.11", "1.26.0")).toBe("1.26.0");
    expect(maxGoVersion("1.26.4", "1.22")).toBe("1.26.4");
  });
});

describe("kwokctl configuration", () => {
  it("binds every component to loopback, enables metrics-server and appends the fast HPA flags", async () => {
    const { kwokctlConfiguration } = await import("../../scripts/local/cluster/kwok-cluster.ts");
    const binaries = Object.fromEntries(
      ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "etcd", "kwok", "kwokctl", "metrics-server", "chaos-controller-manager"].map((name) => [name, `/bin/${name}`]),
    ) as Parameters<typeof kwokctlConfiguration>[0];
    const config = kwokctlConfiguration(binaries, "/manifests") as {
      options: Record<string, unknown>;
      componentsPatches: { name: string; extraArgs: { key: string; value: string; override: boolean }[] }[];
    };
    expect(config.options).toMatchObject({ runtime: "binary", bindAddress: "127.0.0.1", enable: ["metrics-server"], kubeApiserverBinary: "/bin/kube-apiserver", metricsServerManifests: ["/manifests"] });
    const controllerManager = config.componentsPatches.find((patch) => patch.name === "kube-controller-manager");
    expect(controllerManager?.extraArgs).toContainEqual({ key: "horizontal-pod-autoscaler-sync-period", value: "5s", override: false });
  });
});
