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
    saturated: facts.droppedIterations > facts.maxDroppedIterations,
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
    reason: state.saturated ? `invalid: load generator saturated: ${generatorFigures(state)}` : generatorFigures(state),
  };
}

/**
 * A load step's verdict from its checks. Precedence: any SLO check not passed -> fail (exit 1);
 * otherwise a saturated generator -> invalid (exit 3); otherwise pass.
 */
export function judgeLoadChecks(checks: readonly Check[]): Verdict {
  if (checks.some((check) => check.kind !== "generator" && check.verdict !== "pass")) return "fail";
  if (checks.some((check) => check.kind === "generator" && check.verdict !== "pass")) return "invalid";
  return "pass";
}
