// Guardrails at their boundaries: each refusal is one line naming the config field.
import { describe, expect, it } from "vitest";
import {
  blastRadius,
  blastRadiusProblem,
  chaosAllowedProblem,
  namespaceAllowListProblem,
  namespacesTouched,
  podsTouched,
  productionConfirmationProblem,
  type FaultInput,
  faultSchema,
} from "../../../chaos/faults/index.ts";

const oneLine = (message: string | undefined) => {
  expect(message).toBeDefined();
  expect(message!.split("\n")).toHaveLength(1);
  return message!;
};

describe("chaos allowed", () => {
  it("refuses an environment that does not allow chaos, naming allowChaos", () => {
    expect(chaosAllowedProblem({ environment: "staging", allowChaos: true })).toBeUndefined();
    expect(oneLine(chaosAllowedProblem({ environment: "staging", allowChaos: false }))).toContain("environments.staging.allowChaos is false");
  });
});

describe("namespace allow-list", () => {
  it("accepts namespaces in the list and refuses any outside it, naming chaosNamespaces", () => {
    expect(namespaceAllowListProblem({ environment: "local", namespaces: ["bulwark-demo"], allowed: ["bulwark-demo", "shop"] })).toBeUndefined();
    const message = oneLine(namespaceAllowListProblem({ environment: "local", namespaces: ["bulwark-demo", "kube-system"], allowed: ["bulwark-demo"] }));
    expect(message).toContain("'kube-system'");
    expect(message).not.toContain("'bulwark-demo',");
    expect(message).toContain("environments.local.kubernetes.chaosNamespaces: bulwark-demo");
    expect(oneLine(namespaceAllowListProblem({ environment: "local", namespaces: ["a"], allowed: [] }))).toContain("chaosNamespaces: empty");
  });

  it("counts a NetworkChaos target's namespaces as touched", () => {
    const fault = faultSchema.parse({ kind: "NetworkChaos", action: "partition", direction: "both", target: { selector: { namespaces: ["db", "shop"] }, mode: "all" } } satisfies FaultInput);
    expect(namespacesTouched(fault, { namespaces: ["shop"] })).toEqual(["shop", "db"]);
    expect(namespacesTouched(faultSchema.parse({ kind: "PodChaos", action: "pod-kill" }), { namespaces: ["shop"] })).toEqual(["shop"]);
  });
});

describe("production confirmation", () => {
  it("needs --confirm-production naming the environment, only in production", () => {
    expect(productionConfirmationProblem({ environment: "staging", production: false, confirmProduction: undefined })).toBeUndefined();
    expect(oneLine(productionConfirmationProblem({ environment: "prod", production: true, confirmProduction: undefined }))).toContain("(environments.prod.production is true); confirm with --confirm-production prod");
    expect(oneLine(productionConfirmationProblem({ environment: "prod", production: true, confirmProduction: "staging" }))).toContain("--confirm-production names 'staging'");
    expect(productionConfirmationProblem({ environment: "prod", production: true, confirmProduction: "prod" })).toBeUndefined();
  });
});

describe("blast radius", () => {
  it.each<[Parameters<typeof podsTouched>[0], number | undefined, number, number]>([
    ["one", undefined, 4, 1],
    ["all", undefined, 4, 4],
    ["fixed", 2, 4, 2],
    ["fixed", 9, 4, 4],
    ["fixed-percent", 50, 4, 2],
    ["fixed-percent", 26, 4, 2], // ceil(1.04): Chaos Mesh rounds up
    ["fixed-percent", 1, 3, 1],
    ["random-max-percent", 34, 3, 2], // at most ceil(1.02)
    ["one", undefined, 0, 0],
  ])("%s %s of %d pods touches %d, as Chaos Mesh selects", (mode, value, matching, touched) => {
    expect(podsTouched(mode, value, matching)).toBe(touched);
  });

  const input = { environment: "local", matchingPods: 4, maxBlastRadius: 0.5, selectorField: "experiments.pod-kill-demo.target", selectorDescription: "bulwark-demo app=demo-target" } as const;

  it("allows exactly the limit and refuses one pod more, naming maxBlastRadius", () => {
    expect(blastRadius("fixed", 2, 4)).toBe(0.5);
    expect(blastRadiusProblem({ ...input, mode: "fixed", value: 2 })).toBeUndefined();
    const message = oneLine(blastRadiusProblem({ ...input, mode: "fixed", value: 3 }));
    expect(message).toBe(
      "mode fixed 3 would touch 3 of 4 matching pods (bulwark-demo app=demo-target) (75 %), above environments.local.kubernetes.maxBlastRadius 0.5 (50 %); nothing was injected",
    );
    expect(blastRadiusProblem({ ...input, mode: "fixed-percent", value: 50 })).toBeUndefined();
    expect(oneLine(blastRadiusProblem({ ...input, mode: "fixed-percent", value: 51 }))).toContain("would touch 3 of 4");
    expect(oneLine(blastRadiusProblem({ ...input, mode: "all" }))).toContain("mode all would touch 4 of 4");
  });

  it("judges a random-max-percent fault by the most it may touch", () => {
    expect(blastRadiusProblem({ ...input, mode: "random-max-percent", value: 50 })).toBeUndefined();
    expect(blastRadiusProblem({ ...input, mode: "random-max-percent", value: 60 })).toBeDefined();
  });

  it("refuses one pod out of one under a limit below 100 %, and allows it at 1", () => {
    expect(oneLine(blastRadiusProblem({ ...input, matchingPods: 1, mode: "one" }))).toContain("1 of 1 matching pods");
    expect(blastRadiusProblem({ ...input, matchingPods: 1, mode: "one", maxBlastRadius: 1 })).toBeUndefined();
  });

  it("refuses a selector that matches no pod, naming where it is written", () => {
    expect(oneLine(blastRadiusProblem({ ...input, matchingPods: 0, mode: "one" }))).toBe("experiments.pod-kill-demo.target matches no pod (bulwark-demo app=demo-target); nothing was injected");
  });
});
