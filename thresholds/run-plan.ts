import type { Criticality, Profile, Slo } from "./schema.ts";

/** An endpoint with its SLO fully resolved (criticality default, config override, environment override). */
export interface PlannedEndpoint {
  name: string;
  method: string;
  path: string;
  criticality: Criticality;
  slo: Slo;
}

/**
 * Everything one k6 run needs, as plain JSON: validated in Node, read by the scenario with open().
 * It holds no secrets: the bearer token travels in the k6 process environment only.
 */
export interface RunPlan {
  runId: string;
  scenario: string;
  profileName: string;
  profile: Profile;
  baseUrl: string;
  healthPath: string;
  endpoints: PlannedEndpoint[];
  checksPassRate: number;
}

/** Name of the k6 environment variables bulwark sets. */
export const planEnvVar = "BULWARK_PLAN";
export const summaryEnvVar = "BULWARK_SUMMARY";
export const tokenEnvVar = "BULWARK_AUTH_TOKEN";
