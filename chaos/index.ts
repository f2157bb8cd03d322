export { podChaos, conditionIsTrue, managedByLabel, chaosGroup, chaosVersion } from "./pod-chaos.ts";
export type { PodChaos, PodChaosAction, PodChaosOptions, PodChaosSpec, SelectorMode, ChaosConditionType, ChaosCondition, PodSelector } from "./pod-chaos.ts";
export { ChaosClient, ChaosRejectedError, kubeConfigFrom, rejectionMessage } from "./client.ts";
