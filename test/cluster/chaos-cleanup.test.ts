// Acceptance 4: nothing stays injected when a run dies. SIGINT mid-experiment: the object is gone within
// 5 s, the run exits 130 marked aborted, and `chaos sweep` finds nothing. SIGKILL mid-experiment: the
// object stays (bulwark had no chance), and the next run's sweep removes it before anything else.
import { expect } from "vitest";
import { ChaosApi, type ChaosObject } from "../../chaos/faults/index.ts";
import { waitFor } from "../../scripts/core/wait-for.ts";
import { chaosProject, experiment } from "../support/chaos-experiment.ts";
import { clusterTest, deployment, isRunningAndReady, podsOf, type ClusterClients } from "../support/cluster-fixture.ts";

async function threeReadyPods(kube: ClusterClients, namespace: string): Promise<void> {
  await kube.apps.createNamespacedDeployment({ namespace, body: deployment("web", 3) });
  await waitFor(async () => (await podsOf(kube, namespace, "web")).filter(isRunningAndReady).length === 3, { timeoutMs: 60_000, intervalMs: 250, description: "3 Ready web pods" });
}

const managedIn = async (kube: ClusterClients, namespace: string): Promise<ChaosObject[]> => (await new ChaosApi(kube.config).listManaged()).filter((object) => object.metadata.namespace === namespace);

/** A pod-failure that would stay in for 40 s: the run is interrupted long before. */
const longFailure = (namespace: string) =>
  experiment(namespace, "web", { method: { before: "1s", faults: [{ name: "fail", duration: "40s", fault: { kind: "PodChaos", action: "pod-failure" } }], after: "1s" } });

const quickKill = (namespace: string) =>
  experiment(namespace, "web", { load: { scenario: "smoke", profile: "chaos-short" }, method: { before: "1s", faults: [{ name: "kill", duration: "2s", fault: { kind: "PodChaos", action: "pod-kill" } }], after: "1s" } });

async function injectedObject(kube: ClusterClients, namespace: string): Promise<ChaosObject> {
  return waitFor(async () => (await managedIn(kube, namespace))[0], { timeoutMs: 90_000, intervalMs: 100, description: "the experiment's chaos object" });
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  clusterTest(`${signal} mid-experiment: the object is gone within 5 s, exit 130 (aborted), and chaos sweep finds nothing`, async ({ kube, namespace }) => {
    await threeReadyPods(kube, namespace);
    const project = chaosProject({ chaosNamespaces: [namespace], loadDuration: "45s", experiments: { "long-failure": longFailure(namespace) } });
    const run = project.start(["chaos", "long-failure"]);
    const object = await injectedObject(kube, namespace);
    run.child.kill(signal);
    await waitFor(async () => (await managedIn(kube, namespace)).length === 0, { timeoutMs: 5_000, intervalMs: 100, description: `${object.metadata.name} to be gone within 5 s of ${signal}` });
    const result = await run.result;
    expect(result.code, result.stderr).toBe(130);
    const summary = project.summary();
    expect(summary).toMatchObject({ verdict: "aborted", exitCode: 130 });
    expect(summary.steps[0]).toMatchObject({ verdict: "aborted", error: expect.stringContaining("every fault removed") });
    expect(project.auditLines().map((line) => `${line.action}:${line.result}`)).toEqual(["chaos inject:started", "chaos inject:succeeded", "chaos remove:reverted"]);
    // Chaos Mesh recovered the pod when the object went: every pod runs its own image again.
    const images = (await podsOf(kube, namespace, "web")).map((pod) => pod.spec!.containers[0]!.image);
    expect(images).toEqual(["bulwark/simulated-app:1", "bulwark/simulated-app:1", "bulwark/simulated-app:1"]);

    const sweep = await project.run(["chaos", "sweep"]);
    expect(sweep.code, sweep.stderr).toBe(0);
    expect(sweep.stderr).toContain(`chaos sweep: nothing left by bulwark in namespaces ${namespace}`);
  });
}

clusterTest("SIGKILL mid-experiment leaves the object; the next run's sweep removes it first and says whose it was", async ({ kube, namespace }) => {
  await threeReadyPods(kube, namespace);
  const project = chaosProject({ chaosNamespaces: [namespace], loadDuration: "45s", experiments: { "long-failure": longFailure(namespace), "quick-kill": quickKill(namespace) } });
  const run = project.start(["chaos", "long-failure"]);
  const leftover = await injectedObject(kube, namespace);
  const pid = run.child.pid!;
  run.child.kill("SIGKILL");
  await run.result;
  // bulwark had no chance to clean up: the object is still there.
  expect((await managedIn(kube, namespace)).map((object) => object.metadata.uid)).toEqual([leftover.metadata.uid]);

  const next = await project.run(["chaos", "quick-kill", "--json"]);
  expect(next.code, next.stderr).toBe(0);
  const swept = project.summary().steps[0]!.timeline!.find((event) => event.event === "leftover-swept");
  expect(swept?.detail).toContain(`PodChaos ${namespace}/${leftover.metadata.name} (its owner (pid ${pid} on `);
  expect(swept?.detail).toContain("removed 1 chaos object");
  const injected = project.summary().steps[0]!.timeline!.find((event) => event.event === "fault-injected")!;
  expect(Date.parse(swept!.at)).toBeLessThan(Date.parse(injected.at));
  expect(await managedIn(kube, namespace)).toEqual([]);
  expect(project.auditLines().some((line) => line.action === "chaos sweep" && line.result === "reverted" && (line.target ?? "").includes(leftover.metadata.name))).toBe(true);
});
