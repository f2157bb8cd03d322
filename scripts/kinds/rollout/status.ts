// Where a Deployment's rollout stands, read from its status as `kubectl rollout status` reads it.
import type { V1Deployment } from "@kubernetes/client-node";

export type RolloutState =
  | { phase: "waiting"; detail: string }
  | { phase: "complete"; detail: string }
  | { phase: "deadline-exceeded"; detail: string };

export const progressDeadlineReason = "ProgressDeadlineExceeded";

/**
 * The rollout of generation `generation` (or later): complete when every replica runs the current
 * template and is available and no old replica is left; failed when the Deployment reports its progress
 * deadline exceeded. Status written for an older generation says nothing yet.
 */
export function rolloutState(deployment: V1Deployment, generation: number): RolloutState {
  const status = deployment.status ?? {};
  if ((status.observedGeneration ?? 0) < generation) return { phase: "waiting", detail: "waiting for the Deployment controller to observe the change" };
  const progressing = status.conditions?.find((condition) => condition.type === "Progressing");
  if (progressing?.reason === progressDeadlineReason) return { phase: "deadline-exceeded", detail: progressing.message ?? progressDeadlineReason };
  const desired = deployment.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < desired) return { phase: "waiting", detail: `${updated} of ${desired} new replicas updated` };
  if (total > updated) return { phase: "waiting", detail: `${total - updated} old replicas pending termination` };
  if (available < updated) return { phase: "waiting", detail: `${available} of ${updated} updated replicas available` };
  return { phase: "complete", detail: `${available} of ${desired} replicas updated and available` };
}
