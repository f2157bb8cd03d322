import http, { type RefinedResponse, type ResponseType } from "k6/http";
import { check } from "k6";
import { authorizationEnvVar, type PlannedEndpoint, type RunPlan } from "../../thresholds/run-plan.ts";

export interface CallOptions {
  /** Values for {placeholders} in the endpoint's path template. */
  params?: Record<string, string | number>;
  body?: unknown;
  expectedStatus?: number;
}

function endpoint(plan: RunPlan, name: string): PlannedEndpoint {
  const found = plan.endpoints.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`unknown endpoint '${name}'`);
  return found;
}

function fillPath(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => encodeURIComponent(String(params[key] ?? "")));
}

/** The target's credentials, which bulwark hands over in the environment only (never in the plan). */
export function authorizationHeaders(): Record<string, string> {
  const authorization = __ENV[authorizationEnvVar];
  return authorization ? { Authorization: authorization } : {};
}

function headers(hasBody: boolean): Record<string, string> {
  const result: Record<string, string> = { Accept: "application/json", ...authorizationHeaders() };
  if (hasBody) result["Content-Type"] = "application/json";
  return result;
}

/**
 * Calls a configured endpoint. Requests are tagged by endpoint name and criticality, and named by the
 * path template so that /api/items/1 and /api/items/2 share one time series.
 */
export function call(plan: RunPlan, name: string, options: CallOptions = {}): RefinedResponse<ResponseType | undefined> {
  const target = endpoint(plan, name);
  const url = plan.baseUrl.replace(/\/$/, "") + fillPath(target.path, options.params ?? {});
  const body = options.body === undefined ? null : JSON.stringify(options.body);
  const response = http.request(target.method, url, body, {
    headers: headers(body !== null),
    tags: { endpoint: target.name, criticality: target.criticality, name: target.path },
  });
  const expected = options.expectedStatus ?? (target.method === "POST" ? 201 : 200);
  check(response, { [`${target.name} answers ${expected}`]: (r) => r.status === expected }, { endpoint: target.name });
  return response;
}

export function jsonBody<T>(response: RefinedResponse<ResponseType | undefined>): T | undefined {
  try {
    return response.json() as T;
  } catch {
    return undefined;
  }
}
