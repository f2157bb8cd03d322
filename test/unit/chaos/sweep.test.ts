// The sweep's decisions, against an in-memory API whose "controller" is scripted per object. The real
// thing (Chaos Mesh's controller, a stuck recovery) is in test/cluster/chaos-dry-run.test.ts.
import { describe, expect, it } from "vitest";
import { buildChaosObject, describeSweep, forcedCleanAnnotation, sweep, type ChaosObject, type ChaosRef, type SweepApi } from "../../../chaos/faults/index.ts";

type Controller = "recovers" | "honours-annotation" | "stuck";

function fakeCluster(objects: { object: ChaosObject; controller: Controller }[]) {
  const store = new Map(objects.map(({ object, controller }) => [object.metadata.name, { object: structuredClone(object), controller }]));
  const calls: string[] = [];
  const entry = (ref: ChaosRef) => store.get(ref.metadata.name);
  const settle = (name: string) => {
    const current = store.get(name);
    if (!current?.object.metadata.deletionTimestamp) return;
    const forced = current.object.metadata.annotations?.["chaos-mesh.chaos-mesh.org/cleanFinalizer"] === "forced";
    if ((current.object.metadata.finalizers ?? []).length === 0 || current.controller === "recovers" || (forced && current.controller === "honours-annotation")) store.delete(name);
  };
  const api: SweepApi = {
    listManaged: async (options = {}) => [...store.values()].map(({ object }) => object).filter((object) => !options.runId || object.metadata.labels["bulwark.dev/run-id"] === options.runId),
    delete: async (ref) => {
      calls.push(`delete ${ref.metadata.name}`);
      const current = entry(ref);
      if (!current) return false;
      current.object.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
      return true;
    },
    find: async (ref) => entry(ref)?.object,
    annotate: async (ref, annotations) => {
      calls.push(`annotate ${ref.metadata.name}`);
      const current = entry(ref)!;
      current.object.metadata.annotations = { ...current.object.metadata.annotations, ...annotations };
      return current.object;
    },
    setFinalizers: async (ref, finalizers) => {
      calls.push(`finalizers ${ref.metadata.name} ${JSON.stringify(finalizers)}`);
      const current = entry(ref)!;
      current.object.metadata.finalizers = finalizers;
      return current.object;
    },
    waitUntilGone: async (ref) => {
      settle(ref.metadata.name);
      return !store.has(ref.metadata.name);
    },
  };
  return { api, calls, store };
}

function object(name: string, runId: string, injectedPod?: string): ChaosObject {
  const built = buildChaosObject({ kind: "PodChaos", action: "pod-failure" }, { name, namespace: "shop", selector: { namespaces: ["shop"] }, mode: "one", duration: "1m", runId, experiment: "demo" });
  built.metadata.finalizers = ["chaos-mesh/records"];
  if (injectedPod) built.status = { experiment: { desiredPhase: "Stop", containerRecords: [{ id: injectedPod, phase: "Injected", injectedCount: 1 }] } };
  return built;
}

describe("sweep", () => {
  it("deletes what recovers, annotates what is stuck, removes finalizers Chaos Mesh cannot drop, and names unrecovered targets", async () => {
    const cluster = fakeCluster([
      { object: object("clean", "run-1"), controller: "recovers" },
      { object: object("annotated", "run-1"), controller: "honours-annotation" },
      { object: object("frozen", "run-1", "shop/web-1"), controller: "stuck" },
      { object: object("other", "run-2"), controller: "recovers" },
    ]);
    const lines: string[] = [];
    const result = await sweep(cluster.api, { runId: "run-1", log: (line) => lines.push(line) });
    const byName = Object.fromEntries(result.removed.map((swept) => [swept.name, swept]));
    expect(result.stuck).toEqual([]);
    expect(byName.clean).toEqual({ kind: "PodChaos", namespace: "shop", name: "clean", runId: "run-1", experiment: "demo", forced: false });
    expect(byName.annotated).toMatchObject({ forced: true, forcedBy: "annotation" });
    expect(byName.frozen).toMatchObject({ forced: true, forcedBy: "finalizers-removed", unrecovered: ["shop/web-1"] });
    expect(cluster.calls.filter((call) => call.startsWith("annotate")).sort()).toEqual(["annotate annotated", "annotate frozen"]);
    expect(cluster.calls).toContain('finalizers frozen []');
    expect(cluster.calls).not.toContain("delete other");
    expect([...cluster.store.keys()]).toEqual(["other"]);
    expect(Object.keys(forcedCleanAnnotation)).toEqual(["chaos-mesh.chaos-mesh.org/cleanFinalizer"]);
    expect(describeSweep(result)).toBe("removed 3 chaos objects (2 forced); Chaos Mesh could not recover shop/web-1: check them");
    expect(lines.some((line) => line.includes("frozen") && line.includes("still recorded as injected: shop/web-1"))).toBe(true);
  });

  it("does not delete again what a previous sweep already deleted, and forces it at once", async () => {
    const stuck = object("half-done", "run-1");
    stuck.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
    const cluster = fakeCluster([{ object: stuck, controller: "honours-annotation" }]);
    const result = await sweep(cluster.api, { runId: "run-1" });
    expect(cluster.calls).toEqual(["annotate half-done"]);
    expect(result.removed).toMatchObject([{ name: "half-done", forcedBy: "annotation" }]);
  });

  it("reports an object it could not remove", async () => {
    const cluster = fakeCluster([{ object: object("stubborn", "run-1"), controller: "stuck" }]);
    cluster.api.setFinalizers = async () => {
      throw new Error("admission webhook unreachable");
    };
    const result = await sweep(cluster.api, {});
    expect(result.removed).toEqual([]);
    expect(result.stuck).toMatchObject([{ name: "stubborn", reason: "could not force the clean: admission webhook unreachable" }]);
    expect(describeSweep(result)).toBe("removed 0 chaos objects; 1 stuck: PodChaos shop/stubborn (could not force the clean: admission webhook unreachable)");
  });

  it("finds nothing to do in a clean cluster", async () => {
    expect(describeSweep(await sweep(fakeCluster([]).api))).toBe("removed 0 chaos objects");
  });
});
