// Pure: bundled into the scenarios, so it must not import zod or Node modules.
import type { Profile } from "./schema.ts";
import type { PlannedEndpoint, RunPlan } from "./run-plan.ts";
import { parseDuration } from "./duration.ts";

export type ThresholdExpression = string | { threshold: string; abortOnFail: boolean; delayAbortEval?: string };

export interface K6Options {
  scenarios: Record<string, Record<string, unknown>>;
  thresholds: Record<string, ThresholdExpression[]>;
  summaryTrendStats: string[];
  setupTimeout: string;
  discardResponseBodies: boolean;
}

export const summaryTrendStats = ["avg", "min", "med", "max", "p(50)", "p(90)", "p(95)", "p(99)", "count"];

/** Gives a crossed SLO a few seconds of samples before aborting, so one slow warm-up request cannot stop a run. */
const abortEvaluationDelay = "5s";

function executorFor(profile: Profile): Record<string, unknown> {
  const common = {
    executor: profile.executor,
    timeUnit: "1s",
    preAllocatedVUs: profile.preAllocatedVUs,
    maxVUs: profile.maxVUs,
    gracefulStop: "5s",
  };
  if (profile.executor === "constant-arrival-rate") {
    return { ...common, rate: profile.ratePerSecond, duration: profile.duration };
  }
  return { ...common, startRate: profile.startRate, stages: profile.stages };
}

function slo(expression: string, abortOnFail: boolean): ThresholdExpression {
  return abortOnFail ? { threshold: expression, abortOnFail: true, delayAbortEval: abortEvaluationDelay } : expression;
}

/** Thresholds of one endpoint, selected through the `endpoint` tag every request carries. */
function endpointThresholds(endpoint: PlannedEndpoint, abortOnFail: boolean): Record<string, ThresholdExpression[]> {
  const tag = `{endpoint:${endpoint.name}}`;
  return {
    [`http_req_duration${tag}`]: [slo(`p(95)<${endpoint.slo.latencyP95Ms}`, abortOnFail), slo(`p(99)<${endpoint.slo.latencyP99Ms}`, abortOnFail)],
    [`http_req_failed${tag}`]: [slo(`rate<${endpoint.slo.errorRate}`, abortOnFail)],
    // Also proves the endpoint was exercised at all: a threshold with no samples must not pass silently.
    [`http_reqs${tag}`]: ["count>0"],
  };
}

/** Turns a run plan and the endpoints a scenario exercises into k6-API options (run by bulwark's engine). */
export function compileOptions(plan: RunPlan, endpointNames: readonly string[]): K6Options {
  const endpoints = endpointNames.map((name) => {
    const endpoint = plan.endpoints.find((candidate) => candidate.name === name);
    if (!endpoint) throw new Error(`scenario ${plan.scenario} uses endpoint '${name}', which the config does not define`);
    return endpoint;
  });
  const thresholds: Record<string, ThresholdExpression[]> = {
    checks: [`rate>${plan.checksPassRate}`],
    // A saturated load generator drops iterations instead of sending them: that must fail, not pass quietly.
    dropped_iterations: [`count<=${plan.profile.maxDroppedIterations}`],
  };
  for (const endpoint of endpoints) Object.assign(thresholds, endpointThresholds(endpoint, plan.profile.abortOnFail));
  return {
    scenarios: { [plan.scenario]: executorFor(plan.profile) },
    thresholds,
    summaryTrendStats,
    setupTimeout: "30s",
    discardResponseBodies: false,
  };
}

/** Planned load duration in ms (for progress and for measuring the gate's own overhead). */
export function plannedDurationMs(profile: Profile): number {
  if (profile.executor === "constant-arrival-rate") return parseDuration(profile.duration) ?? 0;
  return profile.stages.reduce((total, stage) => total + (parseDuration(stage.duration) ?? 0), 0);
}
