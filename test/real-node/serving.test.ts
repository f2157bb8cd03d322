// Acceptance 1: the demo Deployment runs 2 real pods on the real node (containers, not KWOK's fakes), and
// load through the loopback front (bulwark's engine, bounded) is answered by both: each answer names
// the pod that served it.
import { expect } from "vitest";
import { realNodeName } from "../../scripts/local/cluster/index.ts";
import { runScenario } from "../support/engine-scenario.ts";
import { deployDemo, frontFor, podNames, realNodeTest, useRealNode, waitForReadyRealPods } from "../support/real-node-fixture.ts";

useRealNode();

const scenario = `
import http from "k6/http";
import { check } from "k6";
export const options = {
  scenarios: { front: { executor: "constant-arrival-rate", rate: 40, timeUnit: "1s", duration: "3s", preAllocatedVUs: 10 } },
};
export default function () {
  const response = http.get(__ENV.TARGET + "/api/items");
  check(response, { "names its pod": (r) => typeof r.headers["X-Served-By"] === "string" && r.headers["X-Served-By"].length > 0 });
}
`;

realNodeTest("two real demo pods on the real node answer load through the loopback front", async ({ kube, namespace, fronts }) => {
  await deployDemo(kube, namespace, { name: "demo", replicas: 2 });
  const pods = await waitForReadyRealPods(kube, namespace, "demo", 2);
  expect(pods.every((pod) => pod.spec?.nodeName === realNodeName)).toBe(true);
  // Real containers: kubelet reports containerd's container IDs and the pods' own addresses.
  expect(pods.every((pod) => pod.status?.containerStatuses?.[0]?.containerID?.startsWith("containerd://"))).toBe(true);

  const front = await frontFor(kube, namespace, "demo", fronts);
  expect(front.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  await expect.poll(() => front.ready().length, { timeout: 10_000 }).toBe(2);

  const direct = await fetch(`${front.url}/api/items`);
  expect(direct.status).toBe(200);
  expect(podNames(pods)).toContain(direct.headers.get("x-served-by"));

  const result = await runScenario(scenario, { env: { TARGET: front.url }, killAfterMs: 30_000 });
  expect(result.exitCode).toBe(0);
  const requests = result.summary?.metrics.http_reqs?.values.count ?? 0;
  expect(requests).toBeGreaterThanOrEqual(100);
  expect(result.summary?.metrics.http_req_failed?.values.passes ?? -1).toBe(0);
  expect(result.summary?.root_group.checks[0]?.fails).toBe(0);
  // Both pods answered, and only these two: the front's count per X-Served-By name.
  expect([...front.servedBy.keys()].sort()).toEqual(podNames(pods));
  for (const count of front.servedBy.values()) expect(count).toBeGreaterThan(requests / 4);
});
