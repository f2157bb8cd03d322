// Acceptance 6: a manifest of every supported kind and action passes a server-side dry run against the
// real CRD schemas and Chaos Mesh's real admission webhooks; wrong ones are refused with the server's
// message. And the sweep: it removes bulwark's objects, including one stuck on its finalizer.
import { AdmissionregistrationV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { randomBytes } from "node:crypto";
import { expect, vi } from "vitest";
import { buildChaosObject, ChaosApi, chaosKindNames, chaosKinds, ChaosRejectedError, faultSchema, sweep, type ChaosObject, type FaultInput } from "../../chaos/faults/index.ts";
import { ExitCode } from "../../scripts/core/errors.ts";
import { everyFault } from "../support/chaos-faults.ts";
import { clusterTest, deployment, isRunningAndReady, podsOf } from "../support/cluster-fixture.ts";

const runId = () => `test-${randomBytes(4).toString("hex")}`;

function objectFor(fault: FaultInput, namespace: string, name: string, id: string, app = "web"): ChaosObject {
  return buildChaosObject(fault, { name, namespace, selector: { namespaces: [namespace], labelSelectors: { app } }, mode: "one", duration: "30s", runId: id, experiment: "dry-run" });
}

async function rejection(promise: Promise<unknown>): Promise<ChaosRejectedError> {
  const error = await promise.then(
    () => undefined,
    (rejected: unknown) => rejected,
  );
  expect(error).toBeInstanceOf(ChaosRejectedError);
  return error as ChaosRejectedError;
}

clusterTest("every supported kind and action passes a server-side dry run; nothing is stored", async ({ kube, namespace }) => {
  const api = new ChaosApi(kube.config);
  const id = runId();
  const results = await Promise.all(everyFault.map((fault, index) => api.dryRun(objectFor(fault, namespace, `fault-${index}`, id))));
  expect(results).toHaveLength(everyFault.length);
  for (const [index, result] of results.entries()) {
    expect(result.kind).toBe(everyFault[index]!.kind);
    expect(result.spec.selector.namespaces).toEqual([namespace]);
    expect(result.metadata.labels).toMatchObject({ "app.kubernetes.io/managed-by": "bulwark", "bulwark.dev/run-id": id });
  }
  // The mutating webhooks ran: they fill defaults no manifest carried.
  const byAction = (kind: string, action: string) => results[everyFault.findIndex((fault) => fault.kind === kind && fault.action === action)]!;
  expect(byAction("NetworkChaos", "delay").spec.direction).toBe("to");
  expect(byAction("NetworkChaos", "duplicate").spec.duplicate).toEqual({ duplicate: "5", correlation: "0" });
  expect(byAction("TimeChaos", "offset").spec.clockIds).toEqual(["CLOCK_REALTIME"]);
  expect(await api.listManaged({ runId: id })).toEqual([]);
});

clusterTest("wrong manifests are refused by the webhook and the CRD schema with the server's message (exit 2)", async ({ kube, namespace }) => {
  const api = new ChaosApi(kube.config);
  const id = runId();
  const valid = (fault: FaultInput, name: string) => objectFor(fault, namespace, name, id);

  // Chaos Mesh's validating webhook: a duration Go cannot parse (the CRD schema has no pattern for it).
  const badDuration = valid({ kind: "PodChaos", action: "pod-kill" }, "bad-duration");
  badDuration.spec.duration = "30 seconds";
  const durationError = await rejection(api.dryRun(badDuration));
  expect(durationError.code).toBe(ExitCode.badInput);
  expect(durationError.serverMessage).toContain("admission webhook");
  expect(durationError.serverMessage).toContain("parse duration field error");
  expect(durationError.message).toContain(`PodChaos ${namespace}/bad-duration rejected by the cluster (dry run)`);

  // Every kind has its validating webhook: each refuses a value only the webhook checks (TimeChaos's
  // duration goes unchecked by Chaos Mesh, its timeOffset does not).
  for (const kind of chaosKindNames) {
    const manifest = valid(everyFault.find((fault) => fault.kind === kind)!, `bad-${chaosKinds[kind]}`);
    if (kind === "TimeChaos") manifest.spec.timeOffset = "5 minutes";
    else manifest.spec.duration = "30 seconds";
    const error = await rejection(api.dryRun(manifest));
    expect(error.serverMessage).toContain(`admission webhook "validate-${chaosKinds[kind]}.chaos-mesh.org" denied the request`);
    expect(error.serverMessage).toContain(kind === "TimeChaos" ? "parse timeOffset field error" : "parse duration field error");
  }

  // The webhook again, on a NetworkChaos: mode fixed needs a positive number of pods.
  const zeroPods = valid({ kind: "NetworkChaos", action: "loss", loss: "10" }, "zero-pods");
  zeroPods.spec.mode = "fixed";
  zeroPods.spec.value = "0";
  expect((await rejection(api.dryRun(zeroPods))).serverMessage).toContain("value must be greater than 0 with mode:fixed");

  // The CRD schema: a NetworkChaos delay without its latency (the mutating webhook writes it as "",
  // which the CRD's pattern refuses).
  const noLatency = valid({ kind: "NetworkChaos", action: "delay", latency: "100ms" }, "no-latency");
  noLatency.spec.delay = { jitter: "10ms" };
  const latencyError = await rejection(api.dryRun(noLatency));
  expect(latencyError.statusCode).toBe(422);
  expect(latencyError.serverMessage).toContain('spec.delay.latency: Invalid value: "": spec.delay.latency in body should match');

  // bulwark's own schema refuses the same mistake before anything is sent.
  expect(faultSchema.safeParse({ kind: "NetworkChaos", action: "delay", jitter: "10ms" }).error?.issues[0]?.path).toEqual(["latency"]);
  expect(await api.listManaged({ runId: id })).toEqual([]);
});

clusterTest("under the webhooks, the controller still takes charge of an object of every kind (adds its finalizer)", async ({ kube, namespace }) => {
  const api = new ChaosApi(kube.config);
  const id = runId();
  const objects = await Promise.all(chaosKindNames.map((kind) => api.create(objectFor(everyFault.find((fault) => fault.kind === kind)!, namespace, `owned-${chaosKinds[kind]}`, id, "none"))));
  // Every update the controller makes passes the validating webhook; a spec the webhook sees differently
  // from the stored one ("Cannot update chaos spec") would leave the object without its finalizer.
  await vi.waitFor(
    async () => {
      const finalizers = await Promise.all(objects.map(async (object) => `${object.kind} ${JSON.stringify((await api.get(object)).metadata.finalizers ?? [])}`));
      expect(finalizers).toEqual(chaosKindNames.map((kind) => `${kind} ["chaos-mesh/records"]`));
    },
    // the controller shares its work queue with every other test's objects
    { timeout: 60_000, interval: 250 },
  );
  const result = await sweep(api, { runId: id });
  expect(result.removed.map((object) => object.kind).sort()).toEqual([...chaosKindNames].sort());
  expect(result.removed.every((object) => !object.forced)).toBe(true);
});

clusterTest("sweep removes a run's objects, forcing the one whose finalizer is stuck, and leaves other runs alone", async ({ kube, namespace }) => {
  const api = new ChaosApi(kube.config);
  const admission = kube.config.makeApiClient(AdmissionregistrationV1Api);
  const [id, otherId] = [runId(), runId()];
  await kube.apps.createNamespacedDeployment({ namespace, body: deployment("web", 1) });
  await vi.waitFor(async () => expect((await podsOf(kube, namespace, "web")).filter(isRunningAndReady)).toHaveLength(1), { timeout: 60_000, interval: 500 });

  // pod-failure swaps the pod's image; Chaos Mesh recovers it by patching the pod back before it drops its finalizer.
  const failing = await api.create(objectFor({ kind: "PodChaos", action: "pod-failure" }, namespace, "failing", id));
  await api.waitForCondition(failing, "AllInjected", { timeoutMs: 30_000 });
  // Selects nothing, and carries a finalizer of our own: Chaos Mesh drops every finalizer of a deleted
  // object whose targets are all recovered, so this one is not stuck.
  const idle = await api.create(objectFor({ kind: "PodChaos", action: "pod-kill" }, namespace, "idle", id, "none"));
  await api.setFinalizers(idle, ["bulwark.dev/test-hold", ...((await api.get(idle)).metadata.finalizers ?? [])]);
  const otherRun = await api.create(objectFor({ kind: "PodChaos", action: "pod-kill" }, namespace, "other-run", otherId, "none"));

  // A stuck controller: pod updates in this namespace are refused, so that recovery can never succeed.
  const policyName = `bulwark-test-freeze-${namespace}`;
  await admission.createValidatingAdmissionPolicy({
    body: {
      metadata: { name: policyName, labels: { "app.kubernetes.io/managed-by": "bulwark-tests" } },
      spec: {
        failurePolicy: "Fail",
        matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["UPDATE"], resources: ["pods"] }] },
        validations: [{ expression: "false", message: "pods are frozen by a bulwark test" }],
      },
    },
  });
  await admission.createValidatingAdmissionPolicyBinding({
    body: {
      metadata: { name: policyName, labels: { "app.kubernetes.io/managed-by": "bulwark-tests" } },
      spec: { policyName, validationActions: ["Deny"], matchResources: { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } } },
    },
  });
  try {
    const [pod] = await podsOf(kube, namespace, "web");
    // The policy is in force once a (dry-run) pod update is refused.
    await vi.waitFor(
      async () => {
        const refused = await kube.core.patchNamespacedPod({ name: pod!.metadata!.name!, namespace, body: { metadata: { labels: { probe: "1" } } }, dryRun: "All" }, setMergePatch()).then(
          () => false,
          () => true,
        );
        expect(refused).toBe(true);
      },
      { timeout: 30_000, interval: 250 },
    );

    const lines: string[] = [];
    const result = await sweep(api, { runId: id, graceMs: 3_000, forcedTimeoutMs: 5_000, log: (line) => lines.push(line) });
    const byName = Object.fromEntries(result.removed.map((object) => [object.name, object]));
    expect(result.stuck).toEqual([]);
    expect(Object.keys(byName).sort()).toEqual(["failing", "idle"]);
    // Recovery keeps failing, so Chaos Mesh never reaches the annotation: bulwark removes the finalizers
    // and names the pod that may still run the failure image.
    expect(byName.failing).toMatchObject({ kind: "PodChaos", namespace, runId: id, experiment: "dry-run", forced: true, forcedBy: "finalizers-removed", unrecovered: [`${namespace}/${pod!.metadata!.name}`] });
    expect(byName.idle?.forced).toBe(false);
    expect(lines.find((line) => line.includes("failing") && line.includes("annotated chaos-mesh.chaos-mesh.org/cleanFinalizer=forced"))).toContain('["chaos-mesh/records"]');
    expect(lines.some((line) => line.includes("failing") && line.includes("removed its finalizers"))).toBe(true);
    expect(await api.find(failing)).toBeUndefined();
    expect(await api.find(idle)).toBeUndefined();
    // Another run's object is not this sweep's business.
    expect(await api.find(otherRun)).toBeDefined();
    const rest = await sweep(api, { runId: otherId });
    expect(rest.removed.map((object) => object.name)).toEqual(["other-run"]);
  } finally {
    await admission.deleteValidatingAdmissionPolicyBinding({ name: policyName });
    await admission.deleteValidatingAdmissionPolicy({ name: policyName });
  }
});

function setMergePatch() {
  return setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
}
