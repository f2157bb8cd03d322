// Acceptance 4 and 5: Chaos Mesh's real controller kills a pod for a PodChaos created through
// @kubernetes/client-node, and the API server's CRD validation refuses an invalid PodChaos.
import { expect, inject, vi } from "vitest";
import { buildChaosObject, ChaosApi, ChaosRejectedError, managedByLabel, type ChaosObjectOptions } from "../../chaos/index.ts";
import { clusterTest, deployment, isRunningAndReady, podsOf } from "../support/cluster-fixture.ts";

const podKill = { kind: "PodChaos", action: "pod-kill" } as const;
const options = (name: string, namespace: string, app: string): ChaosObjectOptions => ({ name, namespace, mode: "one", selector: { namespaces: [namespace], labelSelectors: { app } }, duration: "30s", runId: "chaos-mesh-test", experiment: name });

clusterTest("chaos-mesh runs in the cluster", () => {
  const chaosMesh = inject("clusterChaosMesh");
  expect(chaosMesh.problem ?? "").toBe("");
  expect(chaosMesh.running).toBe(true);
});

clusterTest("a PodChaos pod-kill makes chaos-controller-manager delete a pod, which the ReplicaSet replaces", async ({ kube, namespace }) => {
  await kube.apps.createNamespacedDeployment({ namespace, body: deployment("victim", 2) });
  const before = await vi.waitFor(
    async () => {
      const ready = (await podsOf(kube, namespace, "victim")).filter(isRunningAndReady);
      expect(ready).toHaveLength(2);
      return new Set(ready.map((pod) => pod.metadata?.uid));
    },
    { timeout: 60_000, interval: 500 },
  );

  const chaos = new ChaosApi(kube.config);
  const created = await chaos.create(buildChaosObject(podKill, options("kill-one", namespace, "victim")));
  expect(created.metadata.labels).toMatchObject(managedByLabel);
  expect((await chaos.listManaged()).map((object) => `${object.metadata.namespace}/${object.metadata.name}`)).toContain(`${namespace}/kill-one`);

  const injected = await chaos.waitForCondition(created, "AllInjected", { timeoutMs: 60_000 });
  expect(injected.status?.experiment?.containerRecords?.length).toBe(1);

  await vi.waitFor(
    async () => {
      const ready = (await podsOf(kube, namespace, "victim")).filter(isRunningAndReady);
      const uids = ready.map((pod) => pod.metadata?.uid);
      expect(uids).toHaveLength(2);
      // exactly one of the original pods is gone and a new one took its place
      expect(uids.filter((uid) => before.has(uid))).toHaveLength(1);
    },
    { timeout: 60_000, interval: 500 },
  );
  await chaos.delete(created);
});

clusterTest("an invalid PodChaos (unknown mode) is rejected by the CRD schema with a readable message", async ({ kube, namespace }) => {
  const chaos = new ChaosApi(kube.config);
  const invalid = buildChaosObject(podKill, options("bad-mode", namespace, "victim"));
  (invalid.spec as { mode: string }).mode = "some";

  const error = await chaos.create(invalid).then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(ChaosRejectedError);
  const rejected = error as ChaosRejectedError;
  expect(rejected.statusCode).toBe(422);
  expect(rejected.message).toContain('spec.mode: Unsupported value: "some"');
  expect(rejected.message).toContain('"random-max-percent"');
  expect((await chaos.listManaged()).map((object) => object.metadata.name)).not.toContain("bad-mode");
});

clusterTest("Chaos Mesh's own admission webhook defaults a PodChaos (selector namespace)", async ({ kube, namespace }) => {
  const chaos = new ChaosApi(kube.config);
  const object = buildChaosObject(podKill, options("defaulted", namespace, "nothing-matches"));
  delete (object.spec.selector as { namespaces?: string[] }).namespaces;
  const created = await chaos.create(object);
  expect(created.spec.selector.namespaces).toEqual([namespace]);
  await chaos.delete(created);
});
