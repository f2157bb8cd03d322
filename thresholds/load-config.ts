import { readFile } from "node:fs/promises";
import type { z } from "zod";
import { ExitCode, ExitError } from "../scripts/core/errors.ts";
import { quoteValue } from "../scripts/core/quote-value.ts";
import { profileSchema, type BaseConfig, type Profile, type Slo } from "./schema.ts";

export type ConfigResult<Config> = { config: Config } | { errors: string[] };

/** `path.to.key: message (got "value")`: the value is added when the message does not quote it already. */
export function formatIssue(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[] = []): string {
  const path = [...prefix, ...issue.path].map(String).join(".");
  // A record key that is not a valid name: zod's own message ("Invalid key in record") says less than the key's rule.
  const message = issue.code === "invalid_key" ? (issue.issues[0]?.message ?? issue.message) : issue.message;
  const quoted = quoteValue(issue.input);
  const withValue = quoted === undefined || message.includes(quoted) ? message : `${message} (got ${quoted})`;
  return `${path || "(root)"}: ${withValue}`;
}

/** The most VUs one engine process runs; more is a typo (1e9) or a job for several load generators. */
export const mostVUs = 100_000;

/**
 * `__proto__` as a key would set an object's prototype instead of naming something: refused wherever it
 * appears (JSON.parse keeps it as an own key, so it can be seen before the schema drops it).
 */
function prototypeKeyErrors(raw: unknown, path: string[] = []): string[] {
  if (typeof raw !== "object" || raw === null) return [];
  const errors: string[] = [];
  const stack: { value: object; path: string[] }[] = [{ value: raw, path }];
  while (stack.length > 0) {
    const { value, path: at } = stack.pop()!;
    for (const key of Object.keys(value)) {
      if (key === "__proto__") {
        errors.push(`${[...at, key].join(".")}: '__proto__' cannot be a name or key`);
        continue;
      }
      const child = (value as Record<string, unknown>)[key];
      if (typeof child === "object" && child !== null) stack.push({ value: child, path: [...at, key] });
    }
  }
  return errors;
}

const prototypeFree = <T extends object>(map: T): T => Object.assign(Object.create(null) as T, map);
const isMap = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The parsed config with its name-keyed maps made prototype-free (every top-level object: suites,
 * environments, profiles, drills, ...; and each environment's profiles, suites and SLOs), so that a
 * name looked up in them can only find what the config defines: `constructor` or `toString` is an
 * unknown name, never Object.prototype's. Shallow on purpose: the maps' values stay ordinary objects.
 */
function withPrototypeFreeMaps<Config extends BaseConfig>(config: Config): Config {
  const copy = prototypeFree(config) as Record<string, unknown>;
  for (const [key, value] of Object.entries(config)) if (isMap(value)) copy[key] = prototypeFree(value);
  const environments = copy.environments as BaseConfig["environments"];
  for (const [name, environment] of Object.entries(environments)) {
    environments[name] = { ...environment, profiles: prototypeFree(environment.profiles), suites: prototypeFree(environment.suites), slo: prototypeFree(environment.slo) };
  }
  return copy as Config;
}

/** Own-key lookup in a name-keyed config map. */
export function named<T>(map: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(map, name) ? map[name] : undefined;
}

/**
 * Validation as phases, so that a caller may yield (and notice Ctrl-C) between them. Every phase is
 * linear in the size of the config. Every problem is reported as `path.to.key: message`; `kindErrors`
 * are the step kinds' own cross-references.
 */
function* validationPhases<Config extends BaseConfig>(raw: unknown, schema: z.ZodType<Config>, kindErrors: (config: Config) => string[]): Generator<void, ConfigResult<Config>> {
  const keyErrors = prototypeKeyErrors(raw);
  if (keyErrors.length > 0) return { errors: keyErrors };
  yield;
  const parsed = schema.safeParse(raw, { reportInput: true });
  if (!parsed.success) return { errors: parsed.error.issues.map((issue) => formatIssue(issue)) };
  yield;
  const config = withPrototypeFreeMaps(parsed.data);
  const errors = [...crossReferenceErrors(config), ...sloConsistencyErrors(config)];
  yield;
  errors.push(...profileErrors(config));
  yield;
  errors.push(...kindErrors(config));
  return errors.length > 0 ? { errors } : { config };
}

/** Parses with the full schema (the base and every step kind's keys), then cross-checks. */
export function validateConfig<Config extends BaseConfig>(raw: unknown, schema: z.ZodType<Config>, kindErrors: (config: Config) => string[]): ConfigResult<Config> {
  const phases = validationPhases(raw, schema, kindErrors);
  for (;;) {
    const step = phases.next();
    if (step.done) return step.value;
  }
}

/** As validateConfig, yielding to the event loop between phases: an abort (Ctrl-C) stops it with exit 130. */
export async function validateConfigInterruptibly<Config extends BaseConfig>(raw: unknown, schema: z.ZodType<Config>, kindErrors: (config: Config) => string[], abortSignal?: AbortSignal): Promise<ConfigResult<Config>> {
  const phases = validationPhases(raw, schema, kindErrors);
  for (;;) {
    await new Promise((resolve) => setImmediate(resolve));
    if (abortSignal?.aborted) throw new ExitError(ExitCode.aborted, "interrupted while validating the config; nothing was started");
    const step = phases.next();
    if (step.done) return step.value;
  }
}

function crossReferenceErrors(config: BaseConfig): string[] {
  const errors: string[] = [];
  const firstIndexByName = new Map<string, number>();
  config.endpoints.forEach((endpoint, index) => {
    const first = firstIndexByName.get(endpoint.name);
    if (first === undefined) firstIndexByName.set(endpoint.name, index);
    else errors.push(`endpoints.${index}.name: '${endpoint.name}' is defined twice (first at endpoints.${first})`);
  });
  for (const [suiteName, suite] of Object.entries(config.suites)) {
    if (suite.profile && !named(config.profiles, suite.profile)) errors.push(`suites.${suiteName}.profile: unknown profile '${suite.profile}'`);
  }
  if (!named(config.environments, config.defaultEnvironment)) errors.push(`defaultEnvironment: unknown environment '${config.defaultEnvironment}'`);
  for (const [envName, environment] of Object.entries(config.environments)) {
    if (!environment.demo && !environment.baseUrl) errors.push(`environments.${envName}.baseUrl: required unless demo is true`);
    for (const [suiteName, choice] of Object.entries(environment.suites)) {
      if (!named(config.suites, suiteName)) errors.push(`environments.${envName}.suites.${suiteName}: unknown suite '${suiteName}'`);
      if (!named(config.profiles, choice.profile)) errors.push(`environments.${envName}.suites.${suiteName}.profile: unknown profile '${choice.profile}'`);
    }
    for (const endpointName of Object.keys(environment.slo)) {
      if (!firstIndexByName.has(endpointName)) errors.push(`environments.${envName}.slo.${endpointName}: unknown endpoint '${endpointName}'`);
    }
  }
  return errors;
}

const percentileOrderError = (path: string, slo: Partial<Slo>): string[] =>
  slo.latencyP95Ms !== undefined && slo.latencyP99Ms !== undefined && slo.latencyP95Ms > slo.latencyP99Ms
    ? [`${path}: latencyP95Ms ${slo.latencyP95Ms} is above latencyP99Ms ${slo.latencyP99Ms} (a 95th percentile can never exceed the 99th)`]
    : [];

/** p95 <= p99 for every SLO as an endpoint gets it: its criticality's, its own overrides, each environment's. */
function sloConsistencyErrors(config: BaseConfig): string[] {
  const errors = [...percentileOrderError("slo.critical", config.slo.critical), ...percentileOrderError("slo.standard", config.slo.standard)];
  const resolvedByName = new Map<string, Slo>();
  config.endpoints.forEach((endpoint, index) => {
    const resolved = { ...config.slo[endpoint.criticality], ...endpoint.slo };
    resolvedByName.set(endpoint.name, resolved);
    if (endpoint.slo) errors.push(...percentileOrderError(`endpoints.${index}.slo`, resolved));
  });
  for (const [envName, environment] of Object.entries(config.environments)) {
    for (const [endpointName, override] of Object.entries(environment.slo)) {
      const resolved = resolvedByName.get(endpointName);
      if (resolved) errors.push(...percentileOrderError(`environments.${envName}.slo.${endpointName}`, { ...resolved, ...override }));
    }
  }
  return errors;
}

/** Limits the engine would refuse later, after the target started: checked on every profile as an environment sees it. */
function profileLimitErrors(path: string, profile: Profile): string[] {
  const { preAllocatedVUs, maxVUs } = profile as { preAllocatedVUs?: number; maxVUs?: number };
  const errors: string[] = [];
  for (const [key, value] of [["preAllocatedVUs", preAllocatedVUs], ["maxVUs", maxVUs]] as const) {
    if (value !== undefined && value > mostVUs) errors.push(`${path}.${key}: ${value} is above ${mostVUs}: one load engine process cannot run more VUs`);
  }
  if (preAllocatedVUs !== undefined && maxVUs !== undefined && maxVUs < preAllocatedVUs) errors.push(`${path}.maxVUs: ${maxVUs} is below preAllocatedVUs ${preAllocatedVUs}`);
  return errors;
}

/** Every profile, and every environment's override merged onto it (overrides are partial), against the full profile rules. */
function profileErrors(config: BaseConfig): string[] {
  const errors: string[] = [];
  for (const [profileName, profile] of Object.entries(config.profiles)) errors.push(...profileLimitErrors(`profiles.${profileName}`, profile));
  for (const [envName, environment] of Object.entries(config.environments)) {
    for (const [profileName, override] of Object.entries(environment.profiles)) {
      const base = named(config.profiles, profileName);
      const path = `environments.${envName}.profiles.${profileName}`;
      if (!base) {
        errors.push(`${path}: unknown profile '${profileName}'`);
        continue;
      }
      const merged = profileSchema.safeParse({ ...base, ...override }, { reportInput: true });
      if (!merged.success) errors.push(...merged.error.issues.map((issue) => formatIssue(issue, ["environments", envName, "profiles", profileName])));
      // The profile's own limits are reported once, at profiles.<name>; here only what the override changes.
      else if (Object.hasOwn(override, "preAllocatedVUs") || Object.hasOwn(override, "maxVUs")) errors.push(...profileLimitErrors(path, merged.data));
    }
  }
  return errors;
}

/** The profile as an environment sees it: the config's profile with the environment's overrides applied. */
export function resolveProfile(config: BaseConfig, environmentName: string, profileName: string): Profile {
  const base = named(config.profiles, profileName);
  if (!base) throw new Error(`unknown profile '${profileName}'`);
  const environment = named(config.environments, environmentName);
  const override = (environment && named(environment.profiles, profileName)) ?? {};
  return profileSchema.parse({ ...base, ...override });
}

export async function readConfigFile(path: string): Promise<unknown> {
  const text = await readFile(path, "utf8");
  return JSON.parse(text) as unknown;
}
