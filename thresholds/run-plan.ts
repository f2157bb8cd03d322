import type { Criticality, Profile, Slo } from "./schema.ts";

/** An endpoint with its SLO fully resolved (criticality default, config override, environment override). */
export interface PlannedEndpoint {
  name: string;
  method: string;
  path: string;
  criticality: Criticality;
  slo: Slo;
  /** The config's example request (path parameters, body, expected status), for the `endpoints` scenario. */
  example?: { params?: Record<string, string | number>; body?: unknown; status?: number };
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
  /** Checked in setup() before any load; null: the environment has no health check. */
  healthPath: string | null;
  endpoints: PlannedEndpoint[];
  checksPassRate: number;
}

/** Names of the environment variables bulwark gives the engine (read through __ENV). */
export const planEnvVar = "BULWARK_PLAN";
/** The Authorization header value for the target ("Basic …" or "Bearer …"), when it needs one. */
export const authorizationEnvVar = "BULWARK_AUTHORIZATION";
