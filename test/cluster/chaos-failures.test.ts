// Acceptance 2, 3 and 8: a hypothesis that cannot hold fails naming the probe (before: nothing is
// injected; during: the fault is still removed), a container-kill on a KWOK pod never takes effect, and
// the hard safety limit removes a fault early (and, below the limit, does not).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { ChaosApi } from "../../chaos/faults/index.ts";
import { waitFor } from "../../scripts/core/wait-for.ts";
import { chaosProject, checkNamed, experiment } from "../support/chaos-experiment.ts";
import { clusterTest, deployment, isRunningAndReady, podsOf, type ClusterClients } from "../support/cluster-fixture.ts";

async function readyPods(kube: ClusterClients, namespace: string, app: string, count: number): Promise<void> {
  await waitFor(async () => (await podsOf(kube, namespace, app)).filter(isRunningAndReady).length === count, { timeoutMs: 60_000, intervalMs: 250, description: `${count} Ready ${app} pods` });
}

const managedIn = async (kube: ClusterClients, namespace: string) => (await new ChaosApi(kube.config).listManaged()).filter((object) => object.metadata.namespace === namespace);

clusterTest("a hypothesis that cannot hold before (4 Ready pods of 3) fails with exit 1 naming the probe, and nothing is injected", async ({ kube, namespace }) => {
  await kube.apps.createNamespacedDeployment({ namespace, body: deployment("web", 3) });
  await readyPods(kube, namespace, "web", 3);
  const project = chaosProject({
    chaosNamespaces: [namespace],
    experiments: { impossible: experiment(namespace, "web", { hypothesis: { probes: [{ type: "k8s", name: "four-ready-pods", check: "pods-ready", tolerance: { min: 4 } }] } }) },
  });
  const { code, stderr } = await project.run(["chaos", "impossible"]);
  expect(code, stderr).toBe(1);
  expect(stderr).toMatch(/hypothesis four-ready-pods +\d+ +0 +fail/);
  const probe = checkNamed(project.summary(), "hypothesis four-ready-pods");
  expect(probe.verdict).toBe("fail");
  expect(probe.reason).toContain("did not hold before the experiment, so nothing was injected");
  expect(probe.reason).toContain("3 Ready pods matching app=web (tolerance: >= 4)");
  expect(project.auditLines().filter((line) => line.action === "chaos inject")).toEqual([]);
  expect(await managedIn(kube, namespace)).toEqual([]);
});

clusterTest("a hypothesis the fault breaks for good (3 Ready bare pods, one killed) fails with exit 1 naming the probe, and the fault is removed", async ({ kube, namespace }) => {
  const template = deployment("bare", 1).spec.template;
  for (const index of [1, 2, 3]) await kube.core.createNamespacedPod({ namespace, body: { metadata: { name: `bare-${index}`, labels: template.metadata.labels }, spec: template.spec } });
  await readyPods(kube, namespace, "bare", 3);
  const project = chaosProject({
    chaosNamespaces: [namespace],
    experiments: {
      "kill-bare": experiment(namespace, "bare", {
        target: { namespace, selector: { app: "bare" } },
        hypothesis: { interval: "500ms", probes: [{ type: "k8s", name: "three-ready-pods", check: "pods-ready", tolerance: { min: 3 } }] },
        expectations: { phases: [], recoveryTime: "3s" },
      }),
    },
  });
  const { code, stderr } = await project.run(["chaos", "kill-bare"]);
  expect(code, stderr).toBe(1);
  const summary = project.summary();
  const probe = checkNamed(summary, "hypothesis three-ready-pods");
  expect(probe.verdict).toBe("fail");
  expect(probe.reason).toMatch(/first during fault:kill-one at [\d:.]+: 2 Ready pods matching app=bare \(tolerance: >= 3\)/);
  expect(stderr).toMatch(/hypothesis three-ready-pods +\d+ +0 +fail/);
  expect(checkNamed(summary, "injection kill-one").verdict).toBe("pass");
  expect(checkNamed(summary, "recovery kill-one within 3.0 s")).toMatchObject({ verdict: "fail", observed: null });
  // The fault is out: the object is gone, the audit log and the cleanup check say so.
  expect(await managedIn(kube, namespace)).toEqual([]);
  expect(project.auditLines().map((line) => `${line.action}:${line.result}`)).toEqual(["chaos inject:started", "chaos inject:succeeded", "chaos remove:reverted"]);
  expect(checkNamed(summary, "every fault removed, rollbacks done")).toMatchObject({ verdict: "pass" });
  expect((await podsOf(kube, namespace, "bare")).filter(isRunningAndReady)).toHaveLength(2);
});

clusterTest("a container-kill on a KWOK pod (no chaos-daemon) fails as 'fault never took effect', and the object is removed", async ({ kube, namespace }) => {
  await kube.apps.createNamespacedDeployment({ namespace, body: deployment("web", 3) });
  await readyPods(kube, namespace, "web", 3);
  const project = chaosProject({
    chaosNamespaces: [namespace],
    experiments: {
      "kill-container": experiment(namespace, "web", {
        method: { before: "1s", faults: [{ name: "kill-app", duration: "8s", fault: { kind: "PodChaos", action: "container-kill", containerNames: ["app"] } }], after: "1s" },
        injectionDeadline: "4s",
      }),
    },
  });
  const { code, stderr } = await project.run(["chaos", "kill-container"]);
  expect(code, stderr).toBe(1);
  const summary = project.summary();
  const injection = checkNamed(summary, "injection kill-app");
  expect(injection).toMatchObject({ kind: "injection", verdict: "fail" });
  expect(injection.reason).toMatch(/^fault never took effect: container-kill PodChaos .* not injected within 4 s/);
  expect(injection.reason).toContain("container not found");
  expect(summary.steps[0]!.timeline!.map((event) => event.event)).toEqual(expect.arrayContaining(["fault-injected", "fault-never-took-effect", "fault-removed"]));
  expect(readFileSync(join(project.lastRunDirectory(), "junit.xml"), "utf8")).toContain('type="FaultNotInjected"');
  expect(await managedIn(kube, namespace)).toEqual([]);
});

/** A demo-fault experiment with the safety limit at 50 % of the last 2 s. */
const errorsExperiment = (namespace: string, errorRate: number) =>
  experiment(namespace, "web", {
    hypothesis: { interval: "500ms", probes: [{ type: "http", name: "health", path: "/health", tolerance: { status: 200 } }] },
    method: { before: "2s", faults: [{ name: "errors", duration: "10s", demoFault: { errorRate } }], after: "2s" },
    expectations: { phases: [{ phase: "after", errorRate: 0.01 }], recoveryTime: "5s" },
    safety: { maxErrorRate: 0.5, window: "2s", minRequests: 5 },
  });

clusterTest("the safety limit removes a fault whose error rate is above 50 % early, and the report says so", async ({ namespace }) => {
  const project = chaosProject({ chaosNamespaces: [namespace], loadDuration: "15s", experiments: { "all-errors": errorsExperiment(namespace, 1) } });
  const tripped = await project.run(["chaos", "all-errors"]);
  expect(tripped.code, tripped.stderr).toBe(1);
  const summary = project.summary();
  const step = summary.steps[0]!;
  const safety = checkNamed(summary, "safety: error rate <= 50 % while a fault is in");
  expect(safety).toMatchObject({ kind: "safety", verdict: "fail", observed: 1 });
  expect(safety.reason).toMatch(/^safety limit hit: 100 % \(\d+ of \d+ requests in the last 2s\) failed during fault:errors; every fault was removed early, \d+\.\d s into its planned 10\.0 s/);
  const fault = step.phases!.find((phase) => phase.name === "fault:errors")!;
  expect(Date.parse(fault.endedAt) - Date.parse(fault.startedAt)).toBeLessThan(10_000);
  const events = step.timeline!.map((event) => event.event);
  expect(events.indexOf("safety-limit")).toBeLessThan(events.indexOf("fault-removed"));
  expect(step.timeline!.find((event) => event.event === "fault-removed")!.detail).toContain("safety limit");
  // The demo target really is back: the requests after recovery all succeeded.
  expect(checkNamed(summary, "after error rate < 1 %")).toMatchObject({ verdict: "pass", observed: 0 });
  expect(readFileSync(join(project.lastRunDirectory(), "summary.md"), "utf8")).toContain("safety limit hit");
});

clusterTest("below the safety limit (40 % errors, limit 50 %) the fault stays in for its whole duration", async ({ namespace }) => {
  const project = chaosProject({ chaosNamespaces: [namespace], loadDuration: "15s", experiments: { "some-errors": errorsExperiment(namespace, 0.4) } });
  const below = await project.run(["chaos", "some-errors"]);
  expect(below.code, below.stderr).toBe(0);
  const calm = project.summary().steps[0]!;
  expect(checkNamed(project.summary(), "safety: error rate <= 50 % while a fault is in")).toMatchObject({ verdict: "pass" });
  expect(calm.timeline!.map((event) => event.event)).not.toContain("safety-limit");
  const full = calm.phases!.find((phase) => phase.name === "fault:errors")!;
  expect(Date.parse(full.endedAt) - Date.parse(full.startedAt)).toBeGreaterThanOrEqual(10_000);
});
