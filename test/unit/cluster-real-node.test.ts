// Pure parts of the real node: its per-instance network plan, the front's address guard, and the
// configuration it writes (the settings this machine needs: cgroupfs on cgroup v1, the OOM score rule).
import { describe, expect, it } from "vitest";
import { inPodCidr, realNodeNetwork } from "../../scripts/local/cluster/real-node/network.ts";
import { cniConfig, containerdConfig, kubeletConfig } from "../../scripts/local/cluster/real-node/configs.ts";
import { demoAppManifests } from "../../scripts/local/cluster/real-node/demo-app.ts";
import { recipes } from "../../scripts/local/cluster/recipes.ts";

describe("real node network plan", () => {
  it("gives each cluster instance its own namespace, veth names that fit Linux's 15 characters, and address ranges", () => {
    const shared = realNodeNetwork("bulwark");
    const other = realNodeNetwork("life1a2b3c");
    expect(shared).toMatchObject({ netns: "bulwark-bulwark", hostIp: "10.213.0.1", nodeIp: "10.213.0.2", podCidr: "10.213.1.0/24" });
    expect(other.podCidr).not.toBe(shared.podCidr);
    expect(other.hostVeth).not.toBe(shared.hostVeth);
    for (const name of [shared.hostVeth, shared.nodeVeth, other.hostVeth, other.nodeVeth]) expect(name.length).toBeLessThanOrEqual(15);
  });

  it("lets the front reach only addresses in the instance's pod range", () => {
    const network = realNodeNetwork("bulwark");
    expect(inPodCidr("10.213.1.7", network)).toBe(true);
    expect(inPodCidr("10.213.1.255", network)).toBe(true);
    expect(inPodCidr("10.213.2.1", network)).toBe(false);
    expect(inPodCidr("10.213.0.2", network)).toBe(false);
    expect(inPodCidr("127.0.0.1", network)).toBe(false);
    expect(inPodCidr("not-an-ip", network)).toBe(false);
  });
});

describe("real node configuration", () => {
  it("runs containerd with cgroupfs, the restricted OOM score rule and the local pause image", () => {
    const toml = containerdConfig("/bin/runc");
    expect(toml).toMatch(/SystemdCgroup = false/);
    expect(toml).toMatch(/restrict_oom_score_adj = true/);
    expect(toml).toMatch(/sandbox = "bulwark\.local\/pause:1"/);
    expect(toml).toMatch(/BinaryName = "\/bin\/runc"/);
  });

  it("runs kubelet on cgroup v1 with cgroupfs, tainted, on the namespace's address", () => {
    const network = realNodeNetwork("bulwark");
    const config = kubeletConfig(network, "/ca.crt") as Record<string, unknown>;
    expect(config).toMatchObject({ failCgroupV1: false, cgroupDriver: "cgroupfs", address: network.nodeIp, failSwapOn: false, readOnlyPort: 0 });
    expect(config.registerWithTaints).toEqual([{ key: "bulwark.dev/real-node", value: "true", effect: "NoSchedule" }]);
  });

  it("gives pods a default route through the bridge, with no masquerading", () => {
    const plugin = (cniConfig(realNodeNetwork("bulwark")) as { plugins: Record<string, unknown>[] }).plugins[0];
    expect(plugin).toMatchObject({ type: "bridge", isGateway: true, isDefaultGateway: true, ipMasq: false });
  });

  it("puts the demo Deployment only on the real node, with a local image that is never pulled", () => {
    const list = demoAppManifests({ name: "demo", image: "bulwark/demo-target:1", replicas: 2 }) as { items: { kind: string; spec: { template?: { spec: Record<string, unknown> } } }[] };
    const pod = list.items.find((item) => item.kind === "Deployment")?.spec.template?.spec as { nodeSelector: object; tolerations: object[]; containers: { imagePullPolicy: string }[] };
    expect(pod.nodeSelector).toEqual({ "bulwark.dev/real-node": "true" });
    expect(pod.tolerations).toHaveLength(1);
    expect(pod.containers[0]?.imagePullPolicy).toBe("Never");
    expect(list.items.map((item) => item.kind)).toEqual(["Deployment", "Service"]);
  });

  it("builds containerd, runc and the CNI plugins in one module graph, and kubelet from the control plane's module", () => {
    const runtime = recipes.find((recipe) => recipe.name === "node-runtime");
    expect(runtime?.binaries.map((binary) => binary.file).sort()).toEqual(["cni-bridge", "cni-host-local", "cni-loopback", "containerd", "containerd-shim-runc-v2", "ctr", "runc"]);
    expect(runtime?.cgo).toBe(true);
    const kubelet = recipes.find((recipe) => recipe.name === "kubelet");
    const kubernetes = recipes.find((recipe) => recipe.name === "kubernetes");
    expect(kubelet?.module).toBe(kubernetes?.module);
    expect(kubelet?.version).toBe(kubernetes?.version);
    expect(recipes.indexOf(kubelet!)).toBeGreaterThan(recipes.indexOf(kubernetes!));
  });
});
