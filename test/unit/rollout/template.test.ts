import { describe, expect, it } from "vitest";
import type { V1Deployment, V1PodTemplateSpec, V1ReplicaSet } from "@kubernetes/client-node";
import { UsageError } from "../../../scripts/core/errors.ts";
import { changePatch, currentReplicaSet, describeChange, sameTemplate, undoPatch } from "../../../scripts/kinds/rollout/template.ts";

const template = (image: string, labels: Record<string, string> = { app: "web" }): V1PodTemplateSpec => ({
  metadata: { labels },
  spec: { containers: [{ name: "app", image, resources: {} }] },
});

const replicaSet = (name: string, hash: string, revision: number, image: string): V1ReplicaSet => ({
  metadata: { name, labels: { app: "web", "pod-template-hash": hash }, annotations: { "deployment.kubernetes.io/revision": String(revision), "kubernetes.io/change-cause": `deploy ${image}` } },
  spec: { selector: {}, template: template(image, { app: "web", "pod-template-hash": hash }) },
});

describe("pod templates as releases", () => {
  it("are the same release apart from the pod-template-hash label, key order, nulls and Date instances", () => {
    const withHash = template("web:1", { "pod-template-hash": "abc", app: "web" });
    const reordered = { spec: { containers: [{ resources: {}, image: "web:1", name: "app" }] }, metadata: { labels: { app: "web" }, creationTimestamp: null } };
    expect(sameTemplate(withHash, reordered as unknown as V1PodTemplateSpec)).toBe(true);
    expect(sameTemplate(template("web:1"), template("web:2"))).toBe(false);
    expect(sameTemplate(template("web:1", { app: "web", tier: "a" }), template("web:1"))).toBe(false);
  });

  it("finds the ReplicaSet that runs the Deployment's template (the newest revision of it)", () => {
    const deployment = { spec: { selector: {}, template: template("web:1") } } as V1Deployment;
    const found = currentReplicaSet(deployment, [replicaSet("web-b", "b", 2, "web:2"), replicaSet("web-a", "a", 3, "web:1")]);
    expect(found?.metadata?.name).toBe("web-a");
    expect(currentReplicaSet({ spec: { selector: {}, template: template("web:9") } } as V1Deployment, [replicaSet("web-a", "a", 1, "web:1")])).toBeUndefined();
  });
});

describe("the change", () => {
  it("sets the image of the only container as a strategic merge patch (containers merge by name)", () => {
    expect(changePatch({ image: "web:2" }, template("web:1"))).toEqual({ spec: { template: { spec: { containers: [{ name: "app", image: "web:2" }] } } } });
    expect(describeChange({ image: "web:2" }, template("web:1"))).toBe("image app: web:1 -> web:2");
  });

  it("needs the container named when the pod has several, and one that exists (exit 2 naming the field)", () => {
    const two: V1PodTemplateSpec = { spec: { containers: [{ name: "app" }, { name: "proxy" }] } };
    expect(() => changePatch({ image: "web:2" }, two, "rolloutChecks.x.change")).toThrow(UsageError);
    expect(() => changePatch({ image: "web:2" }, two, "rolloutChecks.x.change")).toThrow(/rolloutChecks\.x\.change\.container: the pod template has 2 containers/);
    expect(() => changePatch({ image: "web:2", container: "nope" }, two)).toThrow(/no container 'nope'/);
    expect(changePatch({ image: "proxy:2", container: "proxy" }, two)).toEqual({ spec: { template: { spec: { containers: [{ name: "proxy", image: "proxy:2" }] } } } });
  });

  it("passes a template patch through under spec.template", () => {
    expect(changePatch({ templatePatch: { metadata: { annotations: { a: "b" } } } }, template("web:1"))).toEqual({ spec: { template: { metadata: { annotations: { a: "b" } } } } });
  });
});

describe("the undo (what kubectl rollout undo sends)", () => {
  it("replaces the template with the ReplicaSet's, without its hash label", () => {
    const deployment = { metadata: { annotations: {} }, spec: { selector: {}, template: template("web:2") } } as V1Deployment;
    const [templateOp] = undoPatch(deployment, { template: replicaSet("web-a", "a", 1, "web:1").spec!.template!, annotations: {} }) as { path: string; value: V1PodTemplateSpec }[];
    expect(templateOp!.path).toBe("/spec/template");
    expect(templateOp!.value.metadata?.labels).toEqual({ app: "web" });
    expect(templateOp!.value.spec?.containers[0]?.image).toBe("web:1");
  });

  it("takes the ReplicaSet's annotations but keeps the Deployment's own bookkeeping (revision, last-applied)", () => {
    const deployment = {
      metadata: { annotations: { "deployment.kubernetes.io/revision": "4", "kubectl.kubernetes.io/last-applied-configuration": "{}", "kubernetes.io/change-cause": "deploy web:2" } },
      spec: { selector: {}, template: template("web:2") },
    } as V1Deployment;
    const source = replicaSet("web-a", "a", 1, "web:1");
    const [, annotationsOp] = undoPatch(deployment, { template: source.spec!.template!, annotations: source.metadata!.annotations! }) as { path: string; value: Record<string, string> }[];
    expect(annotationsOp!.path).toBe("/metadata/annotations");
    expect(annotationsOp!.value).toEqual({ "deployment.kubernetes.io/revision": "4", "kubectl.kubernetes.io/last-applied-configuration": "{}", "kubernetes.io/change-cause": "deploy web:1" });
  });
});
