// The faults library: typed Chaos Mesh faults, their manifests, the API client, sweep and guardrails.
export {
  chaosApiVersion,
  chaosDurationSchema,
  chaosGroup,
  chaosKindNames,
  chaosKinds,
  chaosRef,
  chaosVersion,
  conditionIsTrue,
  describeRef,
  experimentLabel,
  forcedCleanAnnotation,
  goDurationSchema,
  managedByLabel,
  modeValueProblem,
  parseGoDuration,
  podSelectorSchema,
  runIdLabel,
  selectorModeSchema,
  selectorModes,
  targetingSchema,
} from "./common.ts";
export type {
  ChaosCondition,
  ChaosConditionType,
  ChaosKind,
  ChaosMetadata,
  ChaosObject,
  ChaosRecord,
  ChaosRef,
  ChaosStatus,
  PodSelector,
  SelectorMode,
  Targeting,
} from "./common.ts";
export { faultActions, faultProblems, faultSchema, faultSchemaWith, injectsWithoutDaemon, kindSpec } from "./schema.ts";
export type { Fault, FaultInput, FaultOf } from "./schema.ts";
export type { PodChaosAction } from "./kinds/pod-chaos.ts";
export type { NetworkChaosAction, NetworkDirection, NetworkTarget } from "./kinds/network-chaos.ts";
export type { StressChaosAction } from "./kinds/stress-chaos.ts";
export type { HTTPChaosAction, HTTPChaosTarget } from "./kinds/http-chaos.ts";
export type { IOChaosAction, IOMethod } from "./kinds/io-chaos.ts";
export type { TimeChaosAction } from "./kinds/time-chaos.ts";
export type { DNSChaosAction } from "./kinds/dns-chaos.ts";
export { buildChaosObject, chaosObjectName } from "./manifest.ts";
export type { ChaosObjectOptions } from "./manifest.ts";
export { ChaosApi, ChaosRejectedError, isNotFound, kubeConfigFrom, rejectionMessage } from "./api.ts";
export type { ListManagedOptions } from "./api.ts";
export { describeInjection, injectionState } from "./injection.ts";
export type { InjectionRecord, InjectionState } from "./injection.ts";
export { describeSweep, sweep } from "./sweep.ts";
export type { SweepApi, SweepOptions, SweepResult, SweptObject } from "./sweep.ts";
export { blastRadius, blastRadiusProblem, chaosAllowedProblem, namespaceAllowListProblem, namespacesTouched, podsTouched, productionConfirmationProblem } from "./guardrails.ts";
export type { BlastRadiusInput } from "./guardrails.ts";
