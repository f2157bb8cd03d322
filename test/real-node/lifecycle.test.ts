// Acceptance 4: the CLI's lifecycle on a cluster instance of the test's own (BULWARK_CLUSTER_NAME), so the
// shared cluster is never touched: `up --cluster --real-node` runs a real pod; every process of the node is
// then SIGKILLed (a crashed run: mounts, cgroups and the namespace stay behind); the next `up` cleans that
// and starts a Ready node again; `down` leaves no process (containerd, shim, container), mount, cgroup,
// veth, route or network namespace behind.
import { randomBytes } from "node:crypto";
import { expect, test } from "vitest";
import { inject } from "vitest";
import { exec } from "../../scripts/core/exec.ts";
import { runCli } from "../support/run-cli.ts";

const name = `life${randomBytes(3).toString("hex")}`;
// Read by the cluster modules when they load: imported below, after this line.
process.env.BULWARK_CLUSTER_NAME = name;
const cluster = await import("../../scripts/local/cluster/index.ts");
const { waitForOrThrow } = await import("../../scripts/core/wait-for.ts");

const env = { BULWARK_CLUSTER_NAME: name };

async function namedNetworkNamespaces(): Promise<string[]> {
  return (await exec("ip", ["netns", "list"])).stdout.split("\n").map((line) => line.split(" ")[0] ?? "").filter(Boolean).sort();
}

function kill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

test("up runs a real pod, up after a SIGKILLed node starts clean, down leaves nothing behind", async () => {
  const namespacesBefore = await namedNetworkNamespaces();
  try {
    const first = await runCli(["local", "up", "--cluster", "--real-node"], env);
    expect(first.code, first.stderr + first.stdout).toBe(0);
    const status = await runCli(["local", "status", "--cluster", "--json"], env);
    const parsed = JSON.parse(status.stdout) as { cluster: { realNode?: { node: string; ready: boolean; processes: { name: string; alive: boolean }[] } } };
    expect(parsed.cluster.realNode?.node).toBe(cluster.realNodeName);
    expect(parsed.cluster.realNode?.ready).toBe(true);
    expect(parsed.cluster.realNode?.processes.map((daemon) => daemon.name).sort()).toEqual(["api-bridge-host", "api-bridge-node", "containerd", "kubelet"]);

    const binaries = await cluster.builtBinaries();
    const kubectl = cluster.kubectlFor(binaries.kubectl ?? "kubectl", (await runCli(["local", "kubeconfig"], env)).stdout.trim());
    await kubectl.must(["apply", "-f", "-"], JSON.stringify(cluster.demoAppManifests({ name: "demo", image: inject("demoTargetImage"), replicas: 1 })));
    await waitForOrThrow(
      async () => (await kubectl.run(["get", "pods", "-l", "app=demo", "-o", "jsonpath={.items[*].status.containerStatuses[*].ready}"])).stdout.trim() === "true",
      { timeoutMs: 90_000, intervalMs: 250, description: "the demo pod to be Ready" },
      () => new Error("the demo pod did not become Ready"),
    );

    // The crash: every process of the node dies at once; what it set up on the host stays.
    const running = await cluster.realNodeLeftovers();
    expect(running.processes.length).toBeGreaterThanOrEqual(5); // bridges, containerd, kubelet, shim(s), the container
    expect(running.mounts.length).toBeGreaterThan(0);
    for (const pid of running.processes) kill(pid);
    await waitForOrThrow(async () => (await cluster.realNodeLeftovers()).processes.length === 0, { timeoutMs: 10_000, intervalMs: 100, description: "the node's processes to die" }, () => new Error("processes survived SIGKILL"));
    const crashed = await cluster.realNodeLeftovers();
    expect(crashed.network.length).toBeGreaterThan(0);
    expect(crashed.cgroups.length).toBeGreaterThan(0);

    const second = await runCli(["local", "up", "--cluster", "--real-node"], env);
    expect(second.code, second.stderr + second.stdout).toBe(0);
    expect(second.stdout + second.stderr).toMatch(/removed what an earlier run left/);
    expect(await cluster.nodeReady(kubectl)).toBe(true);
    await waitForOrThrow(
      async () => (await kubectl.run(["get", "pods", "-l", "app=demo", "-o", "jsonpath={.items[*].status.containerStatuses[*].ready}"])).stdout.trim() === "true",
      { timeoutMs: 90_000, intervalMs: 250, description: "the demo pod to run again" },
      () => new Error("the demo pod did not run again after the restart"),
    );

    const down = await runCli(["local", "down", "--cluster"], env);
    expect(down.code, down.stderr + down.stdout).toBe(0);
    expect(await cluster.realNodeLeftovers()).toEqual({ processes: [], mounts: [], cgroups: [], network: [] });
    // Pod network namespaces too: containerd keeps them under its own state folder, none in /run/netns.
    expect(await namedNetworkNamespaces()).toEqual(namespacesBefore);
    expect((await cluster.clusterProcesses()).length).toBe(0);
  } finally {
    await runCli(["local", "down", "--cluster"], env);
  }
});
