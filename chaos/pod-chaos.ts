// PodChaos objects (chaos-mesh.org/v1alpha1), typed after the CRD: the literal unions below mirror its enums.

export const chaosGroup = "chaos-mesh.org";
export const chaosVersion = "v1alpha1";
/** Every object bulwark creates carries this label, so `chaos sweep` can find leftovers. */
export const managedByLabel = { "app.kubernetes.io/managed-by": "bulwark" } as const;

export type PodChaosAction = "pod-kill" | "pod-failure" | "container-kill";
export type SelectorMode = "one" | "all" | "fixed" | "fixed-percent" | "random-max-percent";
/** Condition types Chaos Mesh reports in status.conditions. */
export type ChaosConditionType = "Selected" | "AllInjected" | "AllRecovered" | "Paused";

export interface PodSelector {
  namespaces: string[];
  labelSelectors?: Record<string, string>;
}

export interface PodChaosSpec {
  action: PodChaosAction;
  mode: SelectorMode;
  /** required by the fixed, fixed-percent and random-max-percent modes */
  value?: string;
  selector: PodSelector;
  /** Chaos Mesh ends the experiment (and recovers) after this, even if bulwark is gone: "30s", "5m" */
  duration: string;
  gracePeriod?: number;
  containerNames?: string[];
}

export interface ChaosCondition {
  type: ChaosConditionType | string;
  status: "True" | "False" | "Unknown";
  reason?: string;
}

export interface PodChaos {
  apiVersion: `${typeof chaosGroup}/${typeof chaosVersion}`;
  kind: "PodChaos";
  metadata: { name: string; namespace: string; labels: Record<string, string>; uid?: string; resourceVersion?: string };
  spec: PodChaosSpec;
  status?: { conditions?: ChaosCondition[]; experiment?: { desiredPhase?: string; containerRecords?: { id: string; phase: string; injectedCount?: number }[] } };
}

export interface PodChaosOptions extends PodChaosSpec {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
}

export function podChaos(options: PodChaosOptions): PodChaos {
  const { name, namespace, labels, ...spec } = options;
  return {
    apiVersion: `${chaosGroup}/${chaosVersion}`,
    kind: "PodChaos",
    metadata: { name, namespace, labels: { ...labels, ...managedByLabel } },
    spec,
  };
}

export function conditionIsTrue(object: { status?: { conditions?: ChaosCondition[] } }, type: ChaosConditionType): boolean {
  return object.status?.conditions?.some((condition) => condition.type === type && condition.status === "True") ?? false;
}
