// Acceptance 1: `bulwark scale hpa-demo` puts a real load on the demo target; the usage bridge turns the
// served rate into simulated pod CPU; the real metrics pipeline and HPA controller scale demo-scaling
// out, and back in after the load; the check passes and its timeline shows both. Ground truth: the HPA's
// own SuccessfulRescale events, the load's measured request rate, the pods' annotations afterwards.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, vi } from "vitest";
import { replicasFileSchema } from "../../reports/html/report-input.ts";
import { usageCpuAnnotation } from "../../scripts/kinds/scaling/usage-bridge.ts";
import { runCli, temporaryReportsRoot } from "../support/run-cli.ts";
import { clusterTest } from "../support/cluster-fixture.ts";
import { onlyRun } from "../support/scaling-fixture.ts";

const namespace = "bulwark-demo";
const name = "demo-scaling";

clusterTest("hpa-demo scales out under load through the usage bridge and back in after it: exit 0, the timeline shows both", async ({ kube }) => {
  // From rest: one replica, as the HPA's minimum (an earlier run may still be scaling in).
  await vi.waitFor(
    async () => {
      const hpa = await kube.autoscaling.readNamespacedHorizontalPodAutoscaler({ name, namespace });
      const deployment = await kube.apps.readNamespacedDeployment({ name, namespace });
      expect([hpa.status?.desiredReplicas, deployment.status?.replicas, deployment.status?.readyReplicas]).toEqual([1, 1, 1]);
    },
    { timeout: 90_000, interval: 1000 },
  );
  const startedAtMs = Date.now();
  const reports = temporaryReportsRoot();

  const result = await runCli(["scale", "hpa-demo", "--out", reports]);
  expect(result.code, result.stderr).toBe(0);
  const { directory, summary } = onlyRun(reports);
  const step = summary.steps[0]!;
  expect(step.checks.filter((check) => check.kind === "scaling").map((check) => [check.name.split(":")[0], check.verdict])).toEqual([
    ["scale-out", "pass"],
    ["never above 5 replicas", "pass"],
    ["no flapping", "pass"],
    ["scale-in", "pass"],
  ]);

  // The timeline: scale-out while the load ran, scale-in after it ended.
  const at = (event: string, detail?: RegExp) => step.timeline!.filter((entry) => entry.event === event && (!detail || detail.test(entry.detail))).map((entry) => Date.parse(entry.at));
  const [loadStarted] = at("load-started");
  const [loadEnded] = at("load-ended");
  const scaledOut = at("replicas", /desired 1 -> [3-5]/);
  const scaledIn = at("replicas", /desired [3-5] -> 1/);
  expect(scaledOut.length).toBeGreaterThan(0);
  expect(scaledIn.length).toBeGreaterThan(0);
  expect(loadStarted!).toBeLessThan(scaledOut[0]!);
  expect(scaledOut[0]!).toBeLessThan(loadEnded!);
  expect(loadEnded!).toBeLessThan(scaledIn[scaledIn.length - 1]!);

  // Ground truth: the HPA controller's own rescale events name the sizes the timeline recorded.
  const events = await kube.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.kind=HorizontalPodAutoscaler,involvedObject.name=${name},reason=SuccessfulRescale` });
  const sizes = events.items
    .filter((event) => (event.lastTimestamp?.getTime() ?? 0) >= Math.floor(startedAtMs / 1000) * 1000)
    .map((event) => Number(/New size: (\d+)/.exec(event.message ?? "")?.[1]));
  const desired = step.series!.find((series) => series.name === "desired replicas")!.points.map(([, value]) => value);
  expect(new Set(sizes)).toEqual(new Set(desired.slice(1)));

  // The bridge's arithmetic against the load it saw: requests/s x 8 ms CPU on the one Ready pod, plus 1m idle.
  const expectedPeak = step.totals!.ratePerSecond * 8 + 1;
  const simulated = step.series!.find((series) => series.name === "simulated CPU per Ready pod (usage bridge)")!;
  const peak = Math.max(...simulated.points.map(([, value]) => value ?? 0));
  expect(peak).toBeGreaterThan(expectedPeak * 0.75);
  expect(peak).toBeLessThan(expectedPeak * 1.25);

  // replicas.json as report.html reads it; and the bridge left every pod at idle usage.
  const replicas = replicasFileSchema.parse(JSON.parse(readFileSync(join(directory, "replicas.json"), "utf8")));
  expect(replicas.map((timeline) => timeline.target)).toEqual([`deployment/${namespace}/${name}`]);
  expect(Math.max(...replicas[0]!.samples.map((sample) => sample.desired))).toBeGreaterThanOrEqual(3);
  const pods = await kube.core.listNamespacedPod({ namespace, labelSelector: `app=${name}` });
  for (const pod of pods.items.filter((candidate) => !candidate.metadata?.deletionTimestamp)) expect(pod.metadata?.annotations?.[usageCpuAnnotation]).toBe("1m");
});
