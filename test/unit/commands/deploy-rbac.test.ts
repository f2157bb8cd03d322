import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deployManifests, rulesByNamespace } from "../../../scripts/commands/deploy-manifests.ts";
import { loadKind } from "../../../scripts/kinds/load/kind.ts";
import { runnerJobRbacRules } from "../../../scripts/kinds/load/runner-job.ts";
import type { StepKind } from "../../../scripts/kinds/step-kind.ts";
import { loadConfig } from "../../../scripts/registry/config.ts";
import { shippedConfigCopy } from "../../support/shipped-config.ts";

/** The shipped config with `changes` on top, written to a temporary folder. */
function writeTemporaryConfig(changes: Record<string, unknown>): string {
  const path = join(mkdtempSync(join(tmpdir(), "bulwark-deploy-rbac-")), "bulwark.config.json");
  const config = { ...shippedConfigCopy(), ...changes };
  if (!("runnerJob" in changes)) delete config.runnerJob;
  writeFileSync(path, JSON.stringify(config));
  return path;
}

const readsPods: StepKind = { ...loadKind, name: "reads-pods", rbac: [{ apiGroups: [""], resources: ["pods"], verbs: ["list", "get"] }] };

describe("the Role of each namespace the gate's service account needs", () => {
  it("keeps the kinds' rules and a step's rule without a namespace in the gate's namespace, merged by resource", () => {
    const roles = rulesByNamespace({ namespace: "perf", kinds: [loadKind, readsPods], stepRules: [{ apiGroups: [""], resources: ["pods"], verbs: ["watch", "get"] }] });
    expect([...roles.entries()]).toEqual([["perf", [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }]]]);
  });

  it("puts a step's rules for another namespace in a Role there, bound to the gate's service account", () => {
    const manifests = deployManifests({
      suite: "spread",
      namespace: "perf",
      image: "bulwark/runner:test",
      schedule: "0 2 * * *",
      reportsClaim: "reports",
      configText: "{}",
      scenarioFiles: {},
      kinds: [loadKind],
      stepRules: runnerJobRbacRules.map((rule) => ({ ...rule, namespace: "runners" })),
    });
    const roles = manifests.filter((item) => item.kind === "Role") as { metadata: { namespace: string }; rules: unknown[] }[];
    expect(roles.map((role) => [role.metadata.namespace, role.rules.length])).toEqual([["perf", 0], ["runners", 4]]);
    const bindings = manifests.filter((item) => item.kind === "RoleBinding") as { metadata: { namespace: string }; subjects: unknown[] }[];
    expect(bindings.map((binding) => [binding.metadata.namespace, binding.subjects])).toEqual([
      ["perf", [{ kind: "ServiceAccount", name: "bulwark-spread", namespace: "perf" }]],
      ["runners", [{ kind: "ServiceAccount", name: "bulwark-spread", namespace: "perf" }]],
    ]);
    expect(manifests.find((item) => item.kind === "ServiceAccount")).toMatchObject({ automountServiceAccountToken: true });
  });
});

describe("what a load step asks for", () => {
  it("nothing when its runners are on this machine; the runner Job's calls in runnerJob.namespace when they are pods", async () => {
    const path = writeTemporaryConfig({ runnerJob: { namespace: "load-runners" } });
    const config = await loadConfig(path);
    expect(loadKind.stepRbac!({ scenario: "smoke" }, config)).toEqual([]);
    expect(loadKind.stepRbac!({ scenario: "smoke", runners: 3, runnersOn: "local" }, config)).toEqual([]);
    expect(loadKind.stepRbac!({ scenario: "smoke", runners: 3, runnersOn: "kubernetes" }, config)).toEqual([
      { apiGroups: [""], resources: ["configmaps"], verbs: ["create", "patch", "delete"], namespace: "load-runners" },
      { apiGroups: ["batch"], resources: ["jobs"], verbs: ["create", "get", "delete"], namespace: "load-runners" },
      { apiGroups: [""], resources: ["pods"], verbs: ["list"], namespace: "load-runners" },
      { apiGroups: [""], resources: ["pods/log"], verbs: ["get"], namespace: "load-runners" },
    ]);
    const withoutRunnerJob = await loadConfig(writeTemporaryConfig({}));
    expect(loadKind.stepRbac!({ scenario: "smoke", runnersOn: "kubernetes" }, withoutRunnerJob).map((rule) => rule.namespace)).toEqual(["bulwark", "bulwark", "bulwark", "bulwark"]);
  });
});
