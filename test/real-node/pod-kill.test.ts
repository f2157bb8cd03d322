// Acceptance 2: deleting one of two real demo pods under load (the API call a pod kill makes: delete with
// grace period 0) shows in the load's per-second series: the requests that pod was serving fail (the
// front never retries), and once the replacement is Ready every second is whole again. The series is
// the engine's own output (k6 JSON lines) aggregated by bulwark's time-series code. The demo pods answer
// after 4 s (a latency fault), longer than kubelet's 2 s minimum kill grace, so requests are in flight
// on the killed pod whenever it is killed; the front's delay in following the EndpointSlice is measured.
import { DiscoveryV1Api } from "@kubernetes/client-node";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { waitForOrThrow } from "../../scripts/core/wait-for.ts";
import { aggregateK6Json } from "../../reports/timeseries/index.ts";
import { runScenario } from "../support/engine-scenario.ts";
import { deployDemo, frontFor, podNames, readyRealPods, realNodeTest, useRealNode, waitForReadyRealPods } from "../support/real-node-fixture.ts";

useRealNode();

const rate = 20;
const latencyMs = 4000;
const scenario = `
import http from "k6/http";
export const options = {
  scenarios: { front: { executor: "constant-arrival-rate", rate: ${rate}, timeUnit: "1s", duration: "16s", preAllocatedVUs: 120, gracefulStop: "15s" } },
};
export default function () {
  http.get(__ENV.TARGET + "/api/items", { timeout: "20s" });
}
`;

realNodeTest("a pod killed under load shows failed requests in the per-second series, then full recovery", async ({ kube, namespace, fronts }) => {
  await deployDemo(kube, namespace, { name: "demo", replicas: 2, faults: [`latency=${latencyMs}ms`] });
  const original = await waitForReadyRealPods(kube, namespace, "demo", 2);
  const front = await frontFor(kube, namespace, "demo", fronts);
  await expect.poll(() => front.ready().length, { timeout: 10_000 }).toBe(2);

  // An independent view of the EndpointSlice (polled every 25 ms), to measure how far the front lags it.
  const discovery = kube.config.makeApiClient(DiscoveryV1Api);
  const firstSeen = new Map<string, number>();
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const slices = await discovery.listNamespacedEndpointSlice({ namespace, labelSelector: "kubernetes.io/service-name=demo" }).catch(() => undefined);
      for (const slice of slices?.items ?? []) {
        const version = slice.metadata?.resourceVersion ?? "";
        if (!firstSeen.has(version)) firstSeen.set(version, Date.now());
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();

  const dir = await mkdtemp(join(tmpdir(), "bulwark-real-node-"));
  const stream = join(dir, "metrics.jsonl");
  const load = runScenario(scenario, {
    env: { TARGET: front.url },
    args: ["--out", `json=${stream}`, "--out-metrics", "http_req_duration,http_reqs,http_req_failed,vus,dropped_iterations"],
    killAfterMs: 90_000,
  });

  // Kill once both pods have answered for a while (responses arrive 4 s after the load starts).
  await waitForOrThrow(() => [...front.servedBy.values()].reduce((sum, count) => sum + count, 0) >= 2 * rate, { timeoutMs: 30_000, intervalMs: 50, description: "the first responses" }, () => new Error("no responses through the front"));
  const victim = original[0]?.metadata?.name ?? "";
  const victimAddress = original[0]?.status?.podIP ?? "";
  const killedAt = Date.now();
  await kube.core.deleteNamespacedPod({ name: victim, namespace, gracePeriodSeconds: 0 });

  const replacement = await waitForOrThrow(
    async () => {
      const pods = await readyRealPods(kube, namespace, "demo");
      return pods.length === 2 && !podNames(pods).includes(victim) ? pods : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100, description: "the replacement pod to be Ready" },
    () => new Error("no replacement pod became Ready"),
  );
  const replacementName = podNames(replacement).find((name) => !podNames(original).includes(name)) ?? "";
  await expect.poll(() => front.ready().map((endpoint) => endpoint.pod).sort(), { timeout: 10_000, interval: 20 }).toEqual(podNames(replacement));
  const recoveredAt = front.changes.find((change) => change.ready.length === 2 && change.appliedAt > killedAt)?.appliedAt ?? Date.now();

  const result = await load;
  polling = false;
  await poller;
  expect(result.exitCode).toBe(0);
  const series = await aggregateK6Json(stream);
  await rm(dir, { recursive: true, force: true });

  const seconds = series.time.map((time, index) => ({ time, requests: series.overall.requests[index] ?? 0, failures: series.overall.failures[index] ?? 0 }));
  const killSecond = Math.floor(killedAt / 1000);
  const recoveredSecond = Math.floor(recoveredAt / 1000) + 1;
  const before = seconds.filter((second) => second.time < killSecond);
  const gap = seconds.filter((second) => second.time >= killSecond && second.time < recoveredSecond + Math.ceil(latencyMs / 1000));
  const after = seconds.filter((second) => second.time >= recoveredSecond + Math.ceil(latencyMs / 1000));
  const sum = (list: typeof seconds, key: "requests" | "failures") => list.reduce((total, second) => total + second[key], 0);

  // Before the kill: answers only, from both pods.
  expect(sum(before, "requests")).toBeGreaterThan(0);
  expect(sum(before, "failures")).toBe(0);
  // During the gap: the killed pod's requests in flight failed (502 from the front, no retry) ...
  expect(sum(gap, "failures")).toBeGreaterThan(0);
  expect(front.failures.upstreamError).toBe(sum(seconds, "failures"));
  // ... and after the replacement is Ready, every second is answered in full.
  expect(after.length).toBeGreaterThanOrEqual(5);
  for (const second of after.slice(0, -1)) {
    expect(second.failures).toBe(0);
    expect(second.requests).toBeGreaterThanOrEqual(rate * 0.75);
  }
  expect(front.servedBy.get(replacementName) ?? 0).toBeGreaterThan(0);

  // The front's lag behind the EndpointSlice as the API shows it (first seen by the 25 ms poll).
  const lags = front.changes
    .filter((change) => change.appliedAt >= killedAt && firstSeen.has(change.resourceVersion))
    .map((change) => change.appliedAt - (firstSeen.get(change.resourceVersion) ?? change.appliedAt));
  const dropped = front.changes.find((change) => change.appliedAt >= killedAt && !change.ready.some((endpoint) => endpoint.address === victimAddress));
  process.stderr.write(
    `[real-node] pod kill: front dropped ${victim} ${dropped ? dropped.appliedAt - killedAt : "?"} ms after the delete call; replacement ${replacementName} followed ${recoveredAt - killedAt} ms after it; ` +
      `front vs. 25 ms API poll per EndpointSlice change: ${lags.map((lag) => `${lag} ms`).join(", ")}; failed requests ${sum(seconds, "failures")} of ${sum(seconds, "requests")}\n`,
  );
  expect(dropped).toBeDefined();
});
