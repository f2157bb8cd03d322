import { resolveProfile } from "../../../thresholds/load-config.ts";
import type { RunPlan, PlannedEndpoint } from "../../../thresholds/run-plan.ts";
import type { BaseConfig } from "../../../thresholds/schema.ts";
import { findScenario } from "./scenarios.ts";
import { UsageError } from "../../core/errors.ts";

export interface PlanRequest {
  config: BaseConfig;
  environmentName: string;
  scenario: string;
  profileName: string;
  baseUrl: string;
  runId: string;
}

function resolveEndpoints(config: BaseConfig, environmentName: string): PlannedEndpoint[] {
  const environment = config.environments[environmentName];
  return config.endpoints.map((endpoint) => ({
    name: endpoint.name,
    method: endpoint.method,
    path: endpoint.path,
    criticality: endpoint.criticality,
    slo: { ...config.slo[endpoint.criticality], ...endpoint.slo, ...environment?.slo[endpoint.name] },
    ...(endpoint.example ? { example: endpoint.example as NonNullable<PlannedEndpoint["example"]> } : {}),
  }));
}

export function buildRunPlan(request: PlanRequest): RunPlan {
  const { config, environmentName, scenario, profileName } = request;
  if (!findScenario(scenario)) throw new UsageError(`unknown scenario '${scenario}'`);
  if (!config.profiles[profileName]) throw new UsageError(`--profile: unknown profile '${profileName}' (known: ${Object.keys(config.profiles).join(", ")})`);
  const environment = config.environments[environmentName];
  return {
    runId: request.runId,
    scenario,
    profileName,
    profile: resolveProfile(config, environmentName, profileName),
    baseUrl: request.baseUrl,
    healthPath: environment ? environment.healthPath || null : "/health",
    endpoints: resolveEndpoints(config, environmentName),
    checksPassRate: config.checksPassRate,
  };
}

/** Which profile a step uses: --profile, then the environment's choice for the suite, the step's, the suite's, the scenario's. */
export function chooseProfile(options: { flag?: string; environmentSuiteProfile?: string; stepProfile?: string; suiteProfile?: string; scenario: string }): string {
  const scenarioDefault = findScenario(options.scenario)?.defaultProfile ?? "smoke";
  return options.flag ?? options.environmentSuiteProfile ?? options.stepProfile ?? options.suiteProfile ?? scenarioDefault;
}
