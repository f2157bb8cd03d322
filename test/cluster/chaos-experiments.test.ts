// Acceptance 1 and 1b of chaos experiments under load: the shipped pod-kill-demo and pod-failure-demo
// against the local cluster's bulwark-demo/demo-target Deployment (real Chaos Mesh controller), proven
// against what the test itself sees of the pods and of the PodChaos object's status; the shipped demo-latency experiment (a demo-fault of
// 300 ms for 10 s) judged per phase: the fault phase fails its p95 expectation, before and after pass.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { CustomObjectsApi, type V1Pod } from "@kubernetes/client-node";
import { ChaosApi } from "../../chaos/faults/index.ts";
import { summarySchema, type RunSummary } from "../../reports/summary-schema.ts";
import { waitFor } from "../../scripts/core/wait-for.ts";
import { clusterTest, isRunningAndReady, podsOf, type ClusterClients } from "../support/cluster-fixture.ts";
import { runCli, temporaryReportsRoot } from "../support/run-cli.ts";
import { readdirSync } from "node:fs";

const namespace = "bulwark-demo";

interface SeenPod {
  uid: string;
  name: string;
  images: string[];
  ready: boolean;
}

/** A PodChaos object's status as the test read it from the API server: its AllInjected condition and record ids. */
interface SeenPodChaos {
  name: string;
  allInjected: boolean;
  records: string[];
}

interface PodChaosItem {
  metadata: { name: string };
  status?: { conditions?: { type: string; status: string }[]; experiment?: { containerRecords?: { id: string }[] } };
}

/** Polls the demo pods and the namespace's PodChaos objects while a run goes: every (uid, image) and status the test itself saw. */
function watchPods(kube: ClusterClients) {
  const seen: SeenPod[] = [];
  const chaos: SeenPodChaos[] = [];
  const custom = kube.config.makeApiClient(CustomObjectsApi);
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const pods: V1Pod[] = (await kube.core.listNamespacedPod({ namespace, labelSelector: "app=demo-target" })).items;
      for (const pod of pods) seen.push({ uid: pod.metadata!.uid!, name: pod.metadata!.name!, images: pod.spec!.containers.map((container) => container.image!), ready: isRunningAndReady(pod) });
      const objects = (await custom.listNamespacedCustomObject({ group: "chaos-mesh.org", version: "v1alpha1", namespace, plural: "podchaos" })) as { items: PodChaosItem[] };
      for (const object of objects.items) {
        chaos.push({
          name: object.metadata.name,
          allInjected: object.status?.conditions?.some((condition) => condition.type === "AllInjected" && condition.status === "True") ?? false,
          records: (object.status?.experiment?.containerRecords ?? []).map((record) => record.id),
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return {
    seen,
    chaos,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

/** The runner's proof begins with the object's status; the test saw that status itself, for the victim's record. */
function expectStatusProof(injectionReason: string, chaos: readonly SeenPodChaos[], victim: string): void {
  expect(injectionReason, injectionReason).toMatch(/^took effect \d+\.\d s after it was applied: status: selected, injected \(1\/1 targets injected now\); pods: /);
  expect(chaos.some((object) => object.allInjected && object.records.some((record) => record === `${namespace}/${victim}` || record.startsWith(`${namespace}/${victim}/`))), JSON.stringify(chaos.slice(-3))).toBe(true);
}

async function threeReadyPods(kube: ClusterClients): Promise<V1Pod[]> {
  return waitFor(
    async () => {
      const ready = (await podsOf(kube, namespace, "demo-target")).filter(isRunningAndReady);
      return ready.length === 3 && ready;
    },
    { timeoutMs: 60_000, intervalMs: 250, description: "3 Ready demo-target pods" },
  );
}

function onlyRun(reports: string): string {
  const runs = readdirSync(reports).filter((entry) => /^\d/.test(entry));
  expect(runs).toHaveLength(1);
  return join(reports, runs[0]!);
}

const readSummary = (run: string): RunSummary => summarySchema.parse(JSON.parse(readFileSync(join(run, "summary.json"), "utf8")));
const check = (summary: RunSummary, name: string) => {
  const found = summary.steps[0]!.checks.find((candidate) => candidate.name === name);
  expect(found, `${name} in ${summary.steps[0]!.checks.map((candidate) => candidate.name).join(" | ")}`).toBeDefined();
  return found!;
};
const auditOf = (file: string) => readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line) as Record<string, string>);

/** What every passing pod experiment must show in its reports. */
function expectReports(run: string, summary: RunSummary, experiment: string, fault: string): void {
  const step = summary.steps[0]!;
  expect(summary).toMatchObject({ kind: "chaos", name: experiment, verdict: "pass", exitCode: 0 });
  expect(step).toMatchObject({ name: experiment, kind: "chaos", verdict: "pass", scenario: "smoke", profile: "chaos" });
  expect(step.phases?.map((phase) => phase.name)).toEqual(expect.arrayContaining(["before", `fault:${fault}`, "after"]));
  expect(step.phases?.[0]?.name).toBe("before");
  expect(step.phases?.at(-1)?.name).toBe("after");
  for (const phase of ["before", `fault:${fault}`, "after"]) {
    const p95 = check(summary, `${phase} p(95) < 200 ms`);
    expect(p95).toMatchObject({ kind: "expectation", verdict: "pass" });
    expect(p95.samples).toBeGreaterThan(0);
    expect(check(summary, `${phase} error rate < 1 %`)).toMatchObject({ kind: "expectation", verdict: "pass", observed: 0 });
  }
  expect(step.timeline?.map((event) => event.event)).toEqual(expect.arrayContaining(["hypothesis-held-before", "load-started", "fault-injected", "injection-confirmed", "fault-removed", "recovered", "load-ended"]));
  // phases.json: the fault window report.html shades, the same instants as the step's phase.
  const shaded = JSON.parse(readFileSync(join(run, "phases.json"), "utf8")) as { name: string; kind: string; start: string; end: string; step: string }[];
  const faultPhase = step.phases!.find((phase) => phase.name === `fault:${fault}`)!;
  expect(shaded).toContainEqual({ name: `fault:${fault}`, kind: "fault", start: faultPhase.startedAt, end: faultPhase.endedAt, step: experiment });
  expect(readFileSync(join(run, "report.html"), "utf8")).toContain(`fault:${fault}`);
  // JUnit: one test case per check (probes, injection, recovery, expectations, safety).
  const junit = readFileSync(join(run, "junit.xml"), "utf8");
  for (const each of step.checks) expect(junit).toContain(`name="${each.name.replace(/</g, "&lt;")}"`);
  expect(junit).not.toContain("<failure");
  expect(readFileSync(join(run, "summary.md"), "utf8")).toContain(`fault:${fault}`);
  expect(existsSync(join(run, `${experiment}.journal.jsonl`))).toBe(true);
}

clusterTest("pod-kill-demo under load: the controller kills a pod, its UID is gone, the replacement is Ready, exit 0 with the full report", async ({ kube }) => {
  const before = await threeReadyPods(kube);
  const uidsBefore = new Set(before.map((pod) => pod.metadata!.uid!));
  const reports = temporaryReportsRoot();
  const auditLog = join(reports, "audit.jsonl");
  const watcher = watchPods(kube);
  const { code, stderr } = await runCli(["chaos", "pod-kill-demo", "--out", reports], { BULWARK_AUDIT_LOG: auditLog });
  await watcher.stop();
  expect(code, stderr).toBe(0);
  const run = onlyRun(reports);
  const summary = readSummary(run);
  expectReports(run, summary, "pod-kill-demo", "kill-one-pod");
  for (const probe of ["api-answers", "two-replicas-available", "two-pods-ready"]) expect(check(summary, `hypothesis ${probe}`)).toMatchObject({ kind: "hypothesis", verdict: "pass" });

  // The runner's proof names a pod and UID that existed before; the test saw that UID vanish, and a new one come.
  const injection = check(summary, "injection kill-one-pod");
  expect(injection).toMatchObject({ kind: "injection", verdict: "pass" });
  const [, killedName, killedUid] = /pod (\S+) \(uid ([0-9a-f]{8})\) deleted/.exec(injection.reason) ?? [];
  const killed = before.find((pod) => pod.metadata!.name === killedName)!;
  expect(killed, injection.reason).toBeDefined();
  expect(killed.metadata!.uid!.startsWith(killedUid!)).toBe(true);
  expectStatusProof(injection.reason, watcher.chaos, killedName!);
  const now = await threeReadyPods(kube);
  expect(now.map((pod) => pod.metadata!.uid)).not.toContain(killed.metadata!.uid);
  const replacements = now.filter((pod) => !uidsBefore.has(pod.metadata!.uid!));
  expect(replacements).toHaveLength(1);
  expect(watcher.seen.some((pod) => pod.uid === replacements[0]!.metadata!.uid && pod.ready)).toBe(true);
  const replaced = summary.steps[0]!.timeline!.find((event) => event.event === "pod-replaced");
  expect(replaced?.detail).toContain(replacements[0]!.metadata!.name!);

  const recovery = check(summary, "recovery kill-one-pod within 30.0 s");
  expect(recovery).toMatchObject({ verdict: "pass", unit: "s", limit: 30 });
  expect(recovery.reason).toMatch(/replacement pod Ready \d+\.\d s after the pod was killed/);

  const actions = auditOf(auditLog).map((line) => `${line.action}:${line.result}`);
  expect(actions).toEqual(["chaos inject:started", "chaos inject:succeeded", "chaos remove:reverted", "chaos rollback:succeeded"]);
  expect((await new ChaosApi(kube.config).listManaged()).filter((object) => object.metadata.namespace === namespace)).toEqual([]);
});

clusterTest("pod-failure-demo under load: the pod keeps its UID, its spec runs Chaos Mesh's image, then its own again; exit 0", async ({ kube }) => {
  const before = await threeReadyPods(kube);
  const reports = temporaryReportsRoot();
  const watcher = watchPods(kube);
  const { code, stderr } = await runCli(["chaos", "pod-failure-demo", "--out", reports], { BULWARK_AUDIT_LOG: join(reports, "audit.jsonl") });
  await watcher.stop();
  expect(code, stderr).toBe(0);
  const run = onlyRun(reports);
  const summary = readSummary(run);
  expectReports(run, summary, "pod-failure-demo", "fail-one-pod");

  const injection = check(summary, "injection fail-one-pod");
  const [, name, uid, image] = /pod (\S+) keeps uid ([0-9a-f]{8}); its spec runs (\S+) \(was/.exec(injection.reason) ?? [];
  expect(name, injection.reason).toBeDefined();
  const victim = before.find((pod) => pod.metadata!.name === name)!;
  const originalImages = victim.spec!.containers.map((container) => container.image);
  expect(victim.metadata!.uid!.startsWith(uid!)).toBe(true);
  expectStatusProof(injection.reason, watcher.chaos, name!);
  expect(image).not.toBe(originalImages[0]);
  // What the test saw itself: the same pod (same UID) with the swapped image during the run.
  expect(watcher.seen.some((pod) => pod.uid === victim.metadata!.uid && pod.images[0] === image)).toBe(true);
  const after = (await podsOf(kube, namespace, "demo-target")).find((pod) => pod.metadata!.uid === victim.metadata!.uid);
  expect(after?.spec!.containers.map((container) => container.image)).toEqual(originalImages);
  expect(check(summary, "recovery fail-one-pod within 30.0 s")).toMatchObject({ verdict: "pass" });
  expect((await new ChaosApi(kube.config).listManaged()).filter((object) => object.metadata.namespace === namespace)).toEqual([]);
});

clusterTest("demo-latency (300 ms for 10 s): the fault phase fails its p95 expectation, before and after pass with no slow request in them", async () => {
  const reports = temporaryReportsRoot();
  const { code, stderr } = await runCli(["chaos", "demo-latency", "--out", reports], { BULWARK_AUDIT_LOG: join(reports, "audit.jsonl") });
  expect(code, stderr).toBe(1);
  const summary = readSummary(onlyRun(reports));
  const step = summary.steps[0]!;

  const during = check(summary, "fault:slow-api p(95) < 200 ms");
  expect(during.verdict).toBe("fail");
  // Every request the target answered while the fault was in took 300 ms more: p95 is at least that.
  expect(during.observed).toBeGreaterThanOrEqual(300);
  expect(during.beyondLimit! / during.samples!).toBeGreaterThan(0.05);
  for (const phase of ["before", "after"]) {
    const judged = check(summary, `${phase} p(95) < 200 ms`);
    // Not one slow request outside the fault: the recovery phase holds those that were in flight.
    expect(judged).toMatchObject({ verdict: "pass", beyondLimit: 0 });
    expect(judged.samples).toBeGreaterThan(10);
  }
  for (const phase of ["before", "fault:slow-api", "after"]) expect(check(summary, `${phase} error rate < 1 %`)).toMatchObject({ verdict: "pass", observed: 0 });

  // The fault phase is cut at the instants the demo target reported for switching on and off.
  const phase = step.phases!.find((candidate) => candidate.name === "fault:slow-api")!;
  const event = (name: string) => step.timeline!.find((candidate) => candidate.event === name)!;
  expect(phase.startedAt).toBe(event("fault-injected").at);
  expect(phase.endedAt).toBe(event("fault-removed").at);
  expect(Date.parse(phase.endedAt) - Date.parse(phase.startedAt)).toBeGreaterThanOrEqual(10_000);
  expect(check(summary, "injection slow-api").verdict).toBe("pass");
  expect(stderr).toContain("verdict: fail (exit 1)");
});
