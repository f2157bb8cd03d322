// The module scenarios are written with, bulwark's own and a user's (`import { defineScenario } from
// "bulwark/scenario"`). Plain k6-API code: no Node imports.
import type { RefinedResponse, ResponseType } from "k6/http";
import { compileOptions, type K6Options } from "../../thresholds/compile-options.ts";
import type { RunPlan } from "../../thresholds/run-plan.ts";
import { assertHealthy } from "./lifecycle.ts";
import { loadPlan } from "./plan.ts";
import { call, type CallOptions } from "./requests.ts";

export { jsonBody, authorizationHeaders, type CallOptions } from "./requests.ts";

/** What a scenario says about itself; bulwark reads it to list, plan and judge the scenario. */
export interface ScenarioDescription {
  /** The name `bulwark run <name>` and suites use: lower-case letters, digits and dashes. */
  name: string;
  description: string;
  /** Endpoints (config names) the workflow calls; each gets its SLO thresholds. "all": every configured endpoint. */
  endpoints: readonly string[] | "all";
  /** Profile used when neither the suite, the command line nor the environment picks one (default "smoke"). */
  defaultProfile?: string;
}

export interface Scenario extends ScenarioDescription {
  /** The run plan bulwark wrote for this run (target, endpoints with their SLOs, profile). */
  plan: RunPlan;
  /** The k6 options (executor and thresholds) compiled from the plan: `export const options = scenario.options`. */
  options: K6Options;
  /** Refuses to start load on an unhealthy target: `export const setup = scenario.setup`. */
  setup(): void;
  /** Calls a configured endpoint by name, tagged for its thresholds, and checks its status. */
  call(endpoint: string, options?: CallOptions): RefinedResponse<ResponseType | undefined>;
  /** The names of the endpoints this scenario calls, "all" resolved. */
  endpointNames(): string[];
}

/** Set by bulwark when it only reads what scenarios say about themselves (no plan, no load). */
const describing = (): boolean => typeof __ENV !== "undefined" && __ENV.BULWARK_DESCRIBE === "1";

const emptyPlan = (name: string): RunPlan => ({
  runId: "describe",
  scenario: name,
  profileName: "smoke",
  profile: { executor: "constant-arrival-rate", ratePerSecond: 1, duration: "1s", maxDroppedIterations: 0, abortOnFail: false },
  baseUrl: "http://127.0.0.1",
  healthPath: null,
  endpoints: [],
  checksPassRate: 1,
});

/** Declares a scenario: `export const scenario = defineScenario({ name, description, endpoints, defaultProfile })`. */
export function defineScenario(description: ScenarioDescription): Scenario {
  const plan = describing() ? emptyPlan(description.name) : loadPlan();
  const endpointNames = (): string[] => (description.endpoints === "all" ? plan.endpoints.map((endpoint) => endpoint.name) : [...description.endpoints]);
  return {
    ...description,
    defaultProfile: description.defaultProfile ?? "smoke",
    plan,
    options: describing() ? ({} as K6Options) : compileOptions(plan, endpointNames()),
    setup: () => assertHealthy(plan),
    call: (endpoint, options) => call(plan, endpoint, options),
    endpointNames,
  };
}
