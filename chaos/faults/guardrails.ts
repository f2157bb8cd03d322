// Guardrails checked before anything is applied. Each returns undefined when the experiment may go on,
// or a one-line refusal naming the config field (the caller throws it as a UsageError, exit 2).
import type { PodSelector, SelectorMode } from "./common.ts";
import type { Fault } from "./schema.ts";

const nothingTouched = "nothing was injected";

export function chaosAllowedProblem(input: { environment: string; allowChaos: boolean }): string | undefined {
  if (input.allowChaos) return undefined;
  return `environment '${input.environment}' does not allow chaos (environments.${input.environment}.allowChaos is false); ${nothingTouched}`;
}

/** Every namespace the fault would touch must be in the environment's allow-list. */
export function namespaceAllowListProblem(input: { environment: string; namespaces: readonly string[]; allowed: readonly string[] }): string | undefined {
  const outside = [...new Set(input.namespaces)].filter((namespace) => !input.allowed.includes(namespace));
  if (outside.length === 0) return undefined;
  const field = `environments.${input.environment}.kubernetes.chaosNamespaces`;
  const allowed = input.allowed.length > 0 ? input.allowed.join(", ") : "empty";
  return `namespace${outside.length === 1 ? "" : "s"} ${outside.map((name) => `'${name}'`).join(", ")} not allow-listed for chaos in environment '${input.environment}' (${field}: ${allowed}); ${nothingTouched}`;
}

/** A production environment needs the operator to name it: --confirm-production <environment>. */
export function productionConfirmationProblem(input: { environment: string; production: boolean; confirmProduction: string | undefined }): string | undefined {
  if (!input.production) return undefined;
  if (input.confirmProduction === undefined) {
    return `environment '${input.environment}' is production (environments.${input.environment}.production is true); confirm with --confirm-production ${input.environment} (or look first with --dry-run); ${nothingTouched}`;
  }
  if (input.confirmProduction !== input.environment) {
    return `--confirm-production names '${input.confirmProduction}' but the experiment would run in '${input.environment}'; ${nothingTouched}`;
  }
  return undefined;
}

/**
 * How many of `matching` pods Chaos Mesh would touch, computed as its selector does: one -> 1, all -> all,
 * fixed n -> min(n, all), fixed-percent p -> ceil(all * p / 100), random-max-percent p -> at most that.
 */
export function podsTouched(mode: SelectorMode, value: number | undefined, matching: number): number {
  if (matching <= 0) return 0;
  switch (mode) {
    case "one":
      return 1;
    case "all":
      return matching;
    case "fixed":
      return Math.min(Math.max(value ?? 0, 0), matching);
    case "fixed-percent":
    case "random-max-percent":
      return Math.min(Math.ceil((matching * (value ?? 0)) / 100), matching);
  }
}

/** The share of matching pods touched (0 to 1); 0 when nothing matches. */
export function blastRadius(mode: SelectorMode, value: number | undefined, matching: number): number {
  return matching <= 0 ? 0 : podsTouched(mode, value, matching) / matching;
}

export interface BlastRadiusInput {
  environment: string;
  mode: SelectorMode;
  value?: number;
  /** pods the selector matches now */
  matchingPods: number;
  maxBlastRadius: number;
  /** where the selector is written, for the message: "experiments.pod-kill-demo.target" */
  selectorField?: string;
  /** what it selects: "bulwark-demo app=demo-target" */
  selectorDescription?: string;
}

/** Refuses a selector that matches nothing, and a mode that would touch more than maxBlastRadius of the matching pods. */
export function blastRadiusProblem(input: BlastRadiusInput): string | undefined {
  const where = input.selectorField ? `${input.selectorField} ` : "the selector ";
  const what = input.selectorDescription ? ` (${input.selectorDescription})` : "";
  if (input.matchingPods <= 0) return `${where}matches no pod${what}; ${nothingTouched}`;
  const touched = podsTouched(input.mode, input.value, input.matchingPods);
  const share = touched / input.matchingPods;
  if (share <= input.maxBlastRadius) return undefined;
  const mode = input.value === undefined ? `mode ${input.mode}` : `mode ${input.mode} ${input.value}`;
  return `${mode} would touch ${touched} of ${input.matchingPods} matching pods${what} (${percent(share)}), above environments.${input.environment}.kubernetes.maxBlastRadius ${input.maxBlastRadius} (${percent(input.maxBlastRadius)}); ${nothingTouched}`;
}

/** Every namespace a fault can touch: its selector's, and for NetworkChaos its target's. */
export function namespacesTouched(fault: Fault, selector: PodSelector): string[] {
  const target = fault.kind === "NetworkChaos" && fault.target ? fault.target.selector.namespaces : [];
  return [...new Set([...selector.namespaces, ...target])];
}

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10} %`;
}
