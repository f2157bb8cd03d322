import { readFile } from "node:fs/promises";
import type { z } from "zod";
import { profileSchema, type BaseConfig, type Profile } from "./schema.ts";

export type ConfigResult<Config> = { config: Config } | { errors: string[] };

export function formatIssue(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[] = []): string {
  const path = [...prefix, ...issue.path].map(String).join(".");
  return `${path || "(root)"}: ${issue.message}`;
}

/**
 * Parse with the full schema (the base and every step kind's keys), then cross-check: every problem is
 * reported as `path.to.key: message`. `kindErrors` are the step kinds' own cross-references.
 */
export function validateConfig<Config extends BaseConfig>(raw: unknown, schema: z.ZodType<Config>, kindErrors: (config: Config) => string[]): ConfigResult<Config> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { errors: parsed.error.issues.map((issue) => formatIssue(issue)) };
  const config = parsed.data;
  const errors = [...crossReferenceErrors(config), ...environmentProfileErrors(config), ...kindErrors(config)];
  return errors.length > 0 ? { errors } : { config };
}

function crossReferenceErrors(config: BaseConfig): string[] {
  const errors: string[] = [];
  const endpointNames = new Set(config.endpoints.map((endpoint) => endpoint.name));
  config.endpoints.forEach((endpoint, index) => {
    if (config.endpoints.findIndex((other) => other.name === endpoint.name) !== index) errors.push(`endpoints.${index}.name: '${endpoint.name}' is defined twice`);
  });
  for (const [suiteName, suite] of Object.entries(config.suites)) {
    if (suite.profile && !config.profiles[suite.profile]) errors.push(`suites.${suiteName}.profile: unknown profile '${suite.profile}'`);
  }
  if (!config.environments[config.defaultEnvironment]) errors.push(`defaultEnvironment: unknown environment '${config.defaultEnvironment}'`);
  for (const [envName, environment] of Object.entries(config.environments)) {
    if (!environment.demo && !environment.baseUrl) errors.push(`environments.${envName}.baseUrl: required unless demo is true`);
    for (const [suiteName, choice] of Object.entries(environment.suites)) {
      if (!config.suites[suiteName]) errors.push(`environments.${envName}.suites.${suiteName}: unknown suite`);
      if (!config.profiles[choice.profile]) errors.push(`environments.${envName}.suites.${suiteName}.profile: unknown profile '${choice.profile}'`);
    }
    for (const endpointName of Object.keys(environment.slo)) {
      if (!endpointNames.has(endpointName)) errors.push(`environments.${envName}.slo.${endpointName}: unknown endpoint`);
    }
  }
  return errors;
}

/** Environment profile overrides are partial: check each merged result against the full profile schema. */
function environmentProfileErrors(config: BaseConfig): string[] {
  const errors: string[] = [];
  for (const [envName, environment] of Object.entries(config.environments)) {
    for (const [profileName, override] of Object.entries(environment.profiles)) {
      const base = config.profiles[profileName];
      if (!base) {
        errors.push(`environments.${envName}.profiles.${profileName}: unknown profile`);
        continue;
      }
      const merged = profileSchema.safeParse({ ...base, ...override });
      if (!merged.success) errors.push(...merged.error.issues.map((issue) => formatIssue(issue, ["environments", envName, "profiles", profileName])));
    }
  }
  return errors;
}

/** The profile as an environment sees it: the config's profile with the environment's overrides applied. */
export function resolveProfile(config: BaseConfig, environmentName: string, profileName: string): Profile {
  const base = config.profiles[profileName];
  if (!base) throw new Error(`unknown profile '${profileName}'`);
  const override = config.environments[environmentName]?.profiles[profileName] ?? {};
  return profileSchema.parse({ ...base, ...override });
}

export async function readConfigFile(path: string): Promise<unknown> {
  const text = await readFile(path, "utf8");
  return JSON.parse(text) as unknown;
}
