import { generatorFigures } from "../../core/format.ts";
import type { Check, GeneratorState, Verdict } from "../../core/step-result.ts";
import type { VuSizing } from "../../../thresholds/compile-options.ts";

export interface GeneratorFacts {
  sizing: VuSizing;
  vusMax: number;
  droppedIterations: number;
  maxDroppedIterations: number;
  engineCpuSeconds: number | null;
  stepSeconds: number;
  /** Each runner's dropped iterations when the step ran as equal execution segments; absent for one process. */
  runnerDroppedIterations?: readonly number[];
}

/**
 * Runners over their share of the allowance: with N equal segments a runner may drop
 * maxDroppedIterations / N. A runner that could not send its slice saturates the step even when the
 * others' slack hides it in the sum.
 */
export function saturatedRunners(runnerDropped: readonly number[], maxDroppedIterations: number): number[] {
  return runnerDropped.flatMap((dropped, index) => (dropped * runnerDropped.length > maxDroppedIterations ? [index] : []));
}

/** What the load generator did: VUs in use against its bound, dropped iterations, its own CPU. */
export function generatorState(facts: GeneratorFacts): GeneratorState {
  return {
    preAllocatedVUs: facts.sizing.preAllocatedVUs,
    maxVUs: facts.sizing.maxVUs,
    vusSizedBy: facts.sizing.sizedBy,
    vusMax: facts.vusMax,
    droppedIterations: facts.droppedIterations,
    maxDroppedIterations: facts.maxDroppedIterations,
    engineCpuSeconds: facts.engineCpuSeconds,
    engineCpuCores: facts.engineCpuSeconds === null || facts.stepSeconds <= 0 ? null : facts.engineCpuSeconds / facts.stepSeconds,
    ...(facts.runnerDroppedIterations ? { runnerDroppedIterations: [...facts.runnerDroppedIterations] } : {}),
    saturated: facts.droppedIterations > facts.maxDroppedIterations || saturatedRunners(facts.runnerDroppedIterations ?? [], facts.maxDroppedIterations).length > 0,
  };
}

/**
 * The generator as a check of its own kind: it failing makes the step invalid, never failed, because
 * it judges the instrument and not the service.
 */
export function generatorCheck(state: GeneratorState): Check {
  return {
    name: "load generator sent the planned load",
    kind: "generator",
    metric: "dropped_iterations",
    expression: `count<=${state.maxDroppedIterations}`,
    endpoint: null,
    observed: state.droppedIterations,
    limit: state.maxDroppedIterations,
    unit: "count",
    verdict: state.saturated ? "fail" : "pass",
    reason: state.saturated ? `invalid: load generator saturated: ${runnersOverShare(state)}${generatorFigures(state)}` : generatorFigures(state),
  };
}

/** "runner 0 dropped 230 iterations, over its share 166.67 of the 500 allowed; " or "" when no runner is. */
function runnersOverShare(state: GeneratorState): string {
  const dropped = state.runnerDroppedIterations ?? [];
  const share = dropped.length > 0 ? state.maxDroppedIterations / dropped.length : 0;
  return saturatedRunners(dropped, state.maxDroppedIterations)
    .map((index) => `runner ${index} dropped ${dropped[index]} iteration${dropped[index] === 1 ? "" : "s"}, over its share ${formatShare(share)} of the ${state.maxDroppedIterations} allowed; `)
    .join("");
}

// Two decimals never round a share up to a whole number of iterations: its fraction is k/N with N ≤ 64 runners.
const formatShare = (share: number) => (Number.isInteger(share) ? String(share) : share.toFixed(2));

/**
 * A load step's verdict from its checks. Precedence: any SLO check not passed -> fail (exit 1);
 * otherwise a saturated generator -> invalid (exit 3); otherwise pass.
 */
export function judgeLoadChecks(checks: readonly Check[]): Verdict {
  if (checks.some((check) => check.kind !== "generator" && check.verdict !== "pass")) return "fail";
  if (checks.some((check) => check.kind === "generator" && check.verdict !== "pass")) return "invalid";
  return "pass";
}
