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

/** maxVUs over the concurrency Little's law expects at the SLO latency: room for a slow tail and think time. */
export const vuHeadroom = 2;

export interface VuSizing {
  preAllocatedVUs: number;
  maxVUs: number;
  sizedBy: "profile" | "littles-law";
}

/** The highest arrival rate (iterations/s) the profile asks for. */
export function peakArrivalRate(profile: Profile): number {
  if (profile.executor === "constant-arrival-rate") return profile.ratePerSecond;
  return Math.max(profile.startRate, ...profile.stages.map((stage) => stage.target));
}

/**
 * VUs for an open-model profile, unless the profile fixes them. Little's law: concurrency = arrival rate
 * x time in the system. One iteration calls each of the scenario's endpoints, so at the SLO it lasts the
 * sum of their p95 limits: preAllocatedVUs is that concurrency, maxVUs `vuHeadroom` times it. A service
 * inside its SLO then never needs more VUs than exist, so dropped iterations mean a saturated generator.
 */
export function sizeVus(profile: Profile, endpoints: readonly PlannedEndpoint[]): VuSizing {
  const iterationSeconds = endpoints.reduce((total, endpoint) => total + endpoint.slo.latencyP95Ms, 0) / 1000;
  const concurrency = peakArrivalRate(profile) * iterationSeconds;
  const sized = { preAllocatedVUs: Math.max(1, Math.ceil(concurrency)), maxVUs: Math.max(2, Math.ceil(concurrency * vuHeadroom)) };
  const maxVUs = profile.maxVUs ?? Math.max(sized.maxVUs, profile.preAllocatedVUs ?? 0);
  const preAllocatedVUs = profile.preAllocatedVUs ?? Math.min(sized.preAllocatedVUs, maxVUs);
  return { preAllocatedVUs, maxVUs, sizedBy: profile.maxVUs === undefined ? "littles-law" : "profile" };
}

function executorFor(profile: Profile, endpoints: readonly PlannedEndpoint[]): Record<string, unknown> {
  const { preAllocatedVUs, maxVUs } = sizeVus(profile, endpoints);
  const common = {
    executor: profile.executor,
    timeUnit: "1s",
    preAllocatedVUs,
    maxVUs,
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
    // errorRate 0 is "no failed request at all": rate<0 could never pass.
    [`http_req_failed${tag}`]: [slo(endpoint.slo.errorRate === 0 ? "rate<=0" : `rate<${endpoint.slo.errorRate}`, abortOnFail)],
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
  // Dropped iterations are no threshold: they judge the generator, not the service. bulwark reads the
  // count from the summary and calls a step with too many of them invalid (scripts/kinds/load/generator.ts).
  const thresholds: Record<string, ThresholdExpression[]> = {
    checks: [`rate>${plan.checksPassRate}`],
  };
  for (const endpoint of endpoints) Object.assign(thresholds, endpointThresholds(endpoint, plan.profile.abortOnFail));
  return {
    scenarios: { [plan.scenario]: executorFor(plan.profile, endpoints) },
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
