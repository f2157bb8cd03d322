// Ctrl-C during a scaling check: exit 130, the report marked aborted, and the usage bridge's simulated
// CPU taken off every pod (back at idle), so the HPA is not left scaled out by a load that stopped.
import { expect, vi } from "vitest";
import { usageCpuAnnotation } from "../../scripts/kinds/scaling/usage-bridge.ts";
import { startCli, temporaryReportsRoot } from "../support/run-cli.ts";
import { clusterTest, deployment } from "../support/cluster-fixture.ts";
import { fastHpa, onlyRun, scalingCheck, writeScalingConfig } from "../support/scaling-fixture.ts";

const millicores = (value: string | undefined): number => (value?.endsWith("m") ? Number(value.slice(0, -1)) : Number.NaN);

clusterTest("an interrupted scaling check exits 130, is reported aborted, and leaves every pod at idle usage", async ({ kube, namespace, onTestFinished }) => {
  await kube.apps.createNamespacedDeployment({ namespace, body: deployment("stopped", 1) });
  await kube.autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace, body: fastHpa("stopped", { maxReplicas: 4 }) });
  const config = writeScalingConfig({ stopped: scalingCheck(namespace, "stopped", { scaleOut: { readyReplicas: 3, within: "30s" } }) });
  const reports = temporaryReportsRoot();
  const podsUsage = async () => (await kube.core.listNamespacedPod({ namespace, labelSelector: "app=stopped" })).items.filter((pod) => !pod.metadata?.deletionTimestamp).map((pod) => pod.metadata?.annotations?.[usageCpuAnnotation]);

  const run = startCli(["scale", "stopped", "--config", config, "--out", reports]);
  onTestFinished(() => void (run.child.exitCode === null && run.child.kill("SIGKILL")));
  // The bridge is at work: a pod carries the load's simulated CPU (20 requests/s x 8 ms, about 160m).
  await vi.waitFor(async () => expect(Math.max(...(await podsUsage()).map(millicores))).toBeGreaterThan(100), { timeout: 30_000, interval: 250 });
  run.child.kill("SIGINT");

  const result = await run.result;
  expect(result.code, result.stderr).toBe(130);
  expect(onlyRun(reports).summary).toMatchObject({ verdict: "aborted", exitCode: 130 });
  const after = await podsUsage();
  expect(after.length).toBeGreaterThan(0);
  expect(after).toEqual(after.map(() => "1m"));
});
