import http, { type RefinedResponse, type ResponseType } from "k6/http";
import { check } from "k6";
import { authorizationEnvVar, type PlannedEndpoint, type RunPlan } from "../../thresholds/run-plan.ts";

export interface CallOptions {
  /** Values for {placeholders} in the endpoint's path template. */
  params?: Record<string, string | number>;
  body?: unknown;
  expectedStatus?: number;
}

/**
 * What call() needs of one endpoint, worked out on its first call in a VU and reused by every later one
 * (an iteration's calls then make no lookup, no regular expression, no tag or check object): the
 * endpoint, its URL split at its {placeholders}, its request tags, and its status checks by expected status.
 */
interface PreparedEndpoint {
  target: PlannedEndpoint;
  /** Literal URL pieces around the placeholders: urlParts.length === urlKeys.length + 1. */
  urlParts: string[];
  urlKeys: string[];
  tags: Record<string, string>;
  checkTags: Record<string, string>;
  checks: Map<number, Record<string, (response: RefinedResponse<ResponseType | undefined>) => boolean>>;
}

let preparedPlan: RunPlan | undefined;
let prepared = new Map<string, PreparedEndpoint>();

function prepare(plan: RunPlan, name: string): PreparedEndpoint {
  if (plan !== preparedPlan) {
    preparedPlan = plan;
    prepared = new Map();
  }
  let entry = prepared.get(name);
  if (entry) return entry;
  const target = plan.endpoints.find((candidate) => candidate.name === name);
  if (!target) throw new Error(`unknown endpoint '${name}'`);
  // The path template as `template.replace(/\{(\w+)\}/g, ...)` would fill it per call: split once, join per call.
  const pieces = target.path.split(/\{(\w+)\}/);
  const urlParts = pieces.filter((_, index) => index % 2 === 0);
  urlParts[0] = plan.baseUrl.replace(/\/$/, "") + (urlParts[0] ?? "");
  entry = {
    target,
    urlParts,
    urlKeys: pieces.filter((_, index) => index % 2 === 1),
    tags: { endpoint: target.name, criticality: target.criticality, name: target.path },
    checkTags: { endpoint: target.name },
    checks: new Map(),
  };
  prepared.set(name, entry);
  return entry;
}

function url(entry: PreparedEndpoint, params: Record<string, string | number> | undefined): string {
  const { urlParts, urlKeys } = entry;
  let result = urlParts[0] as string;
  for (let index = 0; index < urlKeys.length; index += 1) {
    const key = urlKeys[index] as string;
    result += encodeURIComponent(String(params?.[key] ?? "")) + urlParts[index + 1];
  }
  return result;
}

function statusCheck(entry: PreparedEndpoint, expected: number): Record<string, (response: RefinedResponse<ResponseType | undefined>) => boolean> {
  let checks = entry.checks.get(expected);
  if (!checks) {
    checks = { [`${entry.target.name} answers ${expected}`]: (r) => r.status === expected };
    entry.checks.set(expected, checks);
  }
  return checks;
}

/** The target's credentials, which bulwark hands over in the environment only (never in the plan). */
export function authorizationHeaders(): Record<string, string> {
  const authorization = __ENV[authorizationEnvVar];
  return authorization ? { Authorization: authorization } : {};
}

/** Request headers without and with a JSON body, rebuilt only when the Authorization value changes. */
let headerCache: { authorization: string | undefined; plain: Record<string, string>; withBody: Record<string, string> } | undefined;

function headers(hasBody: boolean): Record<string, string> {
  const authorization: string | undefined = __ENV[authorizationEnvVar] || undefined;
  if (!headerCache || headerCache.authorization !== authorization) {
    const plain: Record<string, string> = authorization ? { Accept: "application/json", Authorization: authorization } : { Accept: "application/json" };
    const withBody: Record<string, string> = authorization
      ? { Accept: "application/json", Authorization: authorization, "Content-Type": "application/json" }
      : { Accept: "application/json", "Content-Type": "application/json" };
    headerCache = { authorization, plain, withBody };
  }
  return hasBody ? headerCache.withBody : headerCache.plain;
}

/**
 * Calls a configured endpoint. Requests are tagged by endpoint name and criticality, and named by the
 * path template so that /api/items/1 and /api/items/2 share one time series.
 */
export function call(plan: RunPlan, name: string, options: CallOptions = {}): RefinedResponse<ResponseType | undefined> {
  const entry = prepare(plan, name);
  const target = entry.target;
  const body = options.body === undefined ? null : JSON.stringify(options.body);
  const response = http.request(target.method, url(entry, options.params), body, {
    headers: headers(body !== null),
    tags: entry.tags,
  });
  const expected = options.expectedStatus ?? (target.method === "POST" ? 201 : 200);
  check(response, statusCheck(entry, expected), entry.checkTags);
  return response;
}

export function jsonBody<T>(response: RefinedResponse<ResponseType | undefined>): T | undefined {
  try {
    return response.json() as T;
  } catch {
    return undefined;
  }
}
