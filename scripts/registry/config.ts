import { existsSync } from "node:fs";
import { readConfigFile } from "../../thresholds/load-config.ts";
import type { EnvironmentConfig } from "../../thresholds/schema.ts";
import { UsageError } from "../core/errors.ts";
import { repoPath } from "../core/repo-root.ts";
import { defaultRegistry, type BulwarkConfig, type Registry } from "./registry.ts";

export const defaultConfigPath = (): string => process.env.BULWARK_CONFIG ?? repoPath("bulwark.config.json");

/** Loads and validates the config; every problem becomes part of one exit-2 message. */
export async function loadConfig(path: string = defaultConfigPath(), registry: Registry = defaultRegistry): Promise<BulwarkConfig> {
  if (!existsSync(path)) throw new UsageError(`--config: no such file: ${path}`);
  let raw: unknown;
  try {
    raw = await readConfigFile(path);
  } catch (error) {
    throw new UsageError(`config ${path}: not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const result = registry.validate(raw);
  if ("errors" in result) throw new UsageError(`config ${path}: ${result.errors.join("; ")}`);
  return result.config;
}

export function pickEnvironment(config: BulwarkConfig, name: string | undefined): { name: string; environment: EnvironmentConfig } {
  const chosen = name ?? config.defaultEnvironment;
  const environment = config.environments[chosen];
  if (!environment) throw new UsageError(`--env: unknown environment '${chosen}' (known: ${Object.keys(config.environments).join(", ")})`);
  return { name: chosen, environment };
}

/** Validates a raw config against the full schema of the built-in step kinds. */
export const validateConfig = (raw: unknown) => defaultRegistry.validate(raw);
