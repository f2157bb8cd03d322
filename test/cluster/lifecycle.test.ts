// Acceptance 6, through the CLI users run: `down` stops every process and removes the state, `down` on
// nothing is harmless, and `up` twice in a row reuses the running cluster.
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { expect, test } from "vitest";
import { exec } from "../../scripts/core/exec.ts";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { clusterProcesses, listeningPorts, type ClusterStatus } from "../../scripts/local/cluster/index.ts";
import { stateDir } from "../../scripts/local/cluster/paths.ts";
import { isProcessAlive } from "../../scripts/core/process-lock.ts";

function bulwark(...args: string[]) {
  return exec(process.execPath, [repoPath("bin", "bulwark.mjs"), ...args], { env: { ...process.env, NO_COLOR: "1" } });
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.setTimeout(1000);
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
  });
}

test("down leaves no process listening and no state; up twice in a row is harmless", { timeout: 600_000 }, async () => {
  try {
    await downAndUpTwice();
  } finally {
    // the other test files of this run need the cluster back, whatever happened here
    await bulwark("local", "up", "--cluster");
  }
});

async function downAndUpTwice(): Promise<void> {
  const running = (await clusterProcesses()).filter((process) => process.alive);
  expect(running.map((process) => process.name)).toEqual(expect.arrayContaining(["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok-controller", "metrics-server", "chaos-controller-manager"]));
  const ports = await listeningPorts(running.map((process) => process.pid));
  expect(ports.length).toBeGreaterThanOrEqual(running.length);
  for (const port of ports) expect(["127.0.0.1", "::1"]).toContain(port.address);

  const down = await bulwark("local", "down", "--cluster");
  expect(down.code, down.stderr).toBe(0);
  for (const process of running) expect(isProcessAlive(process.pid), `${process.name} (pid ${process.pid}) still alive`).toBe(false);
  for (const port of ports) expect(await portAnswers(port.port), `port ${port.port} still answers`).toBe(false);
  expect(existsSync(stateDir())).toBe(false);

  const downAgain = await bulwark("local", "down", "--cluster");
  expect(downAgain.code, downAgain.stderr).toBe(0);
  expect(downAgain.stderr).toContain("nothing was running");

  const firstUp = await bulwark("local", "up", "--cluster");
  expect(firstUp.code, firstUp.stderr).toBe(0);
  const afterFirst = (await clusterProcesses()).filter((process) => process.alive).map((process) => process.pid).sort();
  const secondUp = await bulwark("local", "up", "--cluster");
  expect(secondUp.code, secondUp.stderr).toBe(0);
  expect(secondUp.stderr).toContain("already running");
  const afterSecond = (await clusterProcesses()).filter((process) => process.alive).map((process) => process.pid).sort();
  expect(afterSecond).toEqual(afterFirst);

  const status = await bulwark("local", "status", "--cluster", "--json");
  expect(status.code, status.stderr).toBe(0);
  const cluster = (JSON.parse(status.stdout) as { cluster: ClusterStatus }).cluster;
  expect(cluster.running).toBe(true);
  expect(cluster.apiServer.serverVersion).toBe("v1.36.3");
  expect(cluster.nodes.ready).toHaveLength(3);
  expect(cluster.chaosMesh).toMatchObject({ crds: true, controller: true });

  const kubeconfig = await bulwark("local", "kubeconfig");
  expect(kubeconfig.stdout.trim()).toBe(cluster.kubeconfig);
}
