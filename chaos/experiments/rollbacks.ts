// Rollbacks: actions run at the end of every experiment, whatever happened, after the faults are out.
import { PatchStrategy, setHeaderOptions, type AppsV1Api } from "@kubernetes/client-node";
import { audit } from "../../scripts/core/audit-log.ts";
import type { StartedTarget } from "../../scripts/kinds/step-kind.ts";
import type { Journal } from "./journal.ts";
import type { RollbackDefinition } from "./schema.ts";

export interface RollbackContext {
  namespace: string;
  apps?: AppsV1Api;
  demoTarget?: StartedTarget;
  journal: Journal;
  environmentName: string;
  runId: string;
}

const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

function describe(rollback: RollbackDefinition, namespace: string): string {
  switch (rollback.type) {
    case "scale-deployment":
      return `scale deployment ${namespace}/${rollback.deployment} to ${rollback.replicas}`;
    case "restart-deployment":
      return `restart deployment ${namespace}/${rollback.deployment}`;
    case "demo-fault-off":
      return "switch the demo target's faults off";
  }
}

async function apply(rollback: RollbackDefinition, context: RollbackContext): Promise<void> {
  switch (rollback.type) {
    case "scale-deployment":
      await context.apps!.patchNamespacedDeployment({ name: rollback.deployment, namespace: context.namespace, body: { spec: { replicas: rollback.replicas } } }, mergePatch);
      return;
    case "restart-deployment":
      await context.apps!.patchNamespacedDeployment(
        { name: rollback.deployment, namespace: context.namespace, body: { spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": new Date().toISOString() } } } } } },
        mergePatch,
      );
      return;
    case "demo-fault-off":
      await context.demoTarget?.switchFaults({ latencyMs: 0, errorRate: 0 });
      return;
  }
}

/** Runs every rollback in order; a failing one is journaled and the next still runs. Returns the failures. */
export async function runRollbacks(rollbacks: readonly RollbackDefinition[], context: RollbackContext): Promise<string[]> {
  const failures: string[] = [];
  for (const rollback of rollbacks) {
    const what = describe(rollback, context.namespace);
    try {
      await apply(rollback, context);
      context.journal.record("rollback", `${what}: done`);
      await audit({ action: "chaos rollback", target: what, environment: context.environmentName, runId: context.runId, result: "succeeded" });
    } catch (error) {
      const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
      failures.push(`${what}: ${message}`);
      context.journal.record("rollback", `${what}: failed: ${message}`);
      await audit({ action: "chaos rollback", target: what, environment: context.environmentName, runId: context.runId, result: "failed", detail: message });
    }
  }
  return failures;
}
