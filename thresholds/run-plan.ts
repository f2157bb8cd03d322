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
 * Everything one load step needs, as plain JSON: validated in Node, read by the scenario with open().
 * It holds no secrets (it is a CI artifact): baseUrl has no credentials; the Authorization header's
 * value (URL credentials or the environment's bearer token) travels in the engine's environment only.
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

/** Names of the environment variables bulwark gives the engine (read through __ENV). */
export const planEnvVar = "BULWARK_PLAN";
/** The Authorization header value for the target ("Basic …" or "Bearer …"), when it needs one. */
export const authorizationEnvVar = "BULWARK_AUTHORIZATION";
