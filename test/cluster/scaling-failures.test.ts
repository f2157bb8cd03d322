// Scaling checks that must fail, and say why in the HPA's own words, under a real load on the demo
// target with the real HPA controller and metrics pipeline: an HPA capped below the expected replicas
// (ScalingLimited), pods without a CPU request (metrics unavailable), a quota that stops new pods; and a
// workload that does not exist (exit 2 before any load).
import { existsSync, readdirSync } from "node:fs";
import { expect, vi } from "vitest";
import { runCli, startCli, temporaryReportsRoot } from "../support/run-cli.ts";
import { clusterTest, deployment } from "../support/cluster-fixture.ts";
import { deploymentWithoutCpuRequest, fastHpa, onlyRun, scalingCheck, writeScalingConfig } from "../support/scaling-fixture.ts";

const scalingCheckOf = (summary: ReturnType<typeof onlyRun>["summary"], prefix: string) => summary.steps[0]!.checks.find((check) => check.kind === "scaling" && check.name.startsWith(prefix));

clusterTest("an HPA whose maxReplicas is below the expected replicas: exit 1, the reason names ScalingLimited", async ({ kube, namespace, onTestFinished }) => {
  await kube.apps.createNamespacedDeployment({ namespace, body: deployment("capped", 1) });
  await kube.autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace, body: fastHpa("capped", { maxReplicas: 2 }) });
  const config = writeScalingConfig({ capped: scalingCheck(namespace, "capped", { scaleOut: { readyReplicas: 3, within: "30s" } }) });
  const reports = temporaryReportsRoot();

  const run = startCli(["scale", "capped", "--config", config, "--out", reports]);
  onTestFinished(() => void (run.child.exitCode === null && run.child.kill("SIGINT")));
  // Ground truth, read from the API server while the check runs: the HPA holds at its maximum and says it wants more.
  await vi.waitFor(
    async () => {
      const hpa = await kube.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: "capped", namespace });
      expect(hpa.status?.currentReplicas).toBe(2);
      expect(hpa.status?.conditions?.find((condition) => condition.type === "ScalingLimited")).toMatchObject({ status: "True", reason: "TooManyReplicas" });
    },
    { timeout: 45_000, interval: 500 },
  );
  const result = await run.result;
  expect(result.code, result.stderr).toBe(1);
  const { summary } = onlyRun(reports);
  const scaleOut = scalingCheckOf(summary, "scale-out")!;
  expect(scaleOut).toMatchObject({ verdict: "fail", observed: 2, limit: 3 });
  expect(scaleOut.reason).toMatch(/^reached 2 of 3 ready replicas by 30\.0 s: the HPA's maxReplicas 2 is below the 3 expected; .*ScalingLimited=True, TooManyReplicas \(maxReplicas 2\)/);
});

clusterTest("pods without a CPU request: metrics unavailable, exit 1, the reason names the failing metric condition", async ({ kube, namespace }) => {
  await kube.apps.createNamespacedDeployment({ namespace, body: deploymentWithoutCpuRequest("blind", 1) });
  await kube.autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace, body: fastHpa("blind", { maxReplicas: 4 }) });
  // Ground truth first: once metrics-server has the pod's usage, the HPA controller reports that it
  // cannot compute a utilization without a request (before that it lacks the metric altogether).
  await vi.waitFor(
    async () => {
      const hpa = await kube.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: "blind", namespace });
      const scalingActive = hpa.status?.conditions?.find((condition) => condition.type === "ScalingActive");
      expect(scalingActive).toMatchObject({ status: "False", reason: "FailedGetResourceMetric" });
      expect(scalingActive?.message).toContain("missing request for cpu");
    },
    { timeout: 60_000, interval: 500 },
  );
  const config = writeScalingConfig({ blind: scalingCheck(namespace, "blind", { scaleOut: { readyReplicas: 2, within: "8s" } }) }, { loadDuration: "8s" });
  const reports = temporaryReportsRoot();

  const result = await runCli(["scale", "blind", "--config", config, "--out", reports]);
  expect(result.code, result.stderr).toBe(1);
  const scaleOut = scalingCheckOf(onlyRun(reports).summary, "scale-out")!;
  expect(scaleOut.verdict).toBe("fail");
  expect(scaleOut.reason).toMatch(/^reached 1 of 2 ready replicas by 8\.0 s: metrics unavailable: ScalingActive=False, FailedGetResourceMetric: .*missing request for cpu/);
});

clusterTest("a quota that stops new pods: the desired replicas that never became Ready are explained", async ({ kube, namespace }) => {
  await kube.core.createNamespacedResourceQuota({ namespace, body: { metadata: { name: "two-pods" }, spec: { hard: { pods: "2" } } } });
  await kube.apps.createNamespacedDeployment({ namespace, body: deployment("quota", 1) });
  await kube.autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace, body: fastHpa("quota", { maxReplicas: 4 }) });
  const config = writeScalingConfig({ quota: scalingCheck(namespace, "quota", { scaleOut: { readyReplicas: 3, within: "30s" } }) });
  const reports = temporaryReportsRoot();

  const result = await runCli(["scale", "quota", "--config", config, "--out", reports]);
  expect(result.code, result.stderr).toBe(1);
  const scaleOut = scalingCheckOf(onlyRun(reports).summary, "scale-out")!;
  expect(scaleOut).toMatchObject({ verdict: "fail", observed: 2 });
  expect(scaleOut.reason).toMatch(/^reached 2 of 3 ready replicas by 30\.0 s: desired 4, ready 2: 2 pods not created: FailedCreate: .*exceeded quota: two-pods/);
});

clusterTest("a workload or HPA that does not exist: exit 2 naming it, before any load starts", async ({ kube, namespace }) => {
  await kube.apps.createNamespacedDeployment({ namespace, body: deployment("no-hpa", 1) });
  const config = writeScalingConfig({
    "no-deployment": scalingCheck(namespace, "absent", { neverAbove: 3 }),
    "no-hpa": scalingCheck(namespace, "no-hpa", { neverAbove: 3 }),
  });
  const reports = temporaryReportsRoot();

  const missingDeployment = await runCli(["scale", "no-deployment", "--config", config, "--out", reports]);
  expect(missingDeployment.code, missingDeployment.stderr).toBe(2);
  expect(missingDeployment.stderr.trim().split("\n")).toEqual([`bulwark: scalingChecks.no-deployment.workload.deployment: Deployment ${namespace}/absent not found in the cluster`]);

  const missingHpa = await runCli(["scale", "no-hpa", "--config", config, "--out", reports]);
  expect(missingHpa.code, missingHpa.stderr).toBe(2);
  expect(missingHpa.stderr.trim().split("\n")).toEqual([`bulwark: scalingChecks.no-hpa.workload.hpa (default: the Deployment's name): HorizontalPodAutoscaler ${namespace}/no-hpa not found in the cluster`]);

  // Nothing started: no demo target, no run directory.
  expect(missingHpa.stderr).not.toContain("demo target listening");
  expect(existsSync(reports) ? readdirSync(reports) : []).toEqual([]);
});
