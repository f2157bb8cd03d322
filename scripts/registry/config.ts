import { statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { named } from "../../thresholds/load-config.ts";
import type { EnvironmentConfig } from "../../thresholds/schema.ts";
import { UsageError } from "../core/errors.ts";
import { quoteName, withoutUrlCredentials } from "../core/quote-value.ts";
import { configEnvVar, defaultConfigPath, useProjectConfig } from "../core/project-root.ts";
import { withBulwarkDefaults } from "../../thresholds/config-defaults.ts";
import { defaultRegistry, type BulwarkConfig, type Registry } from "./registry.ts";

export { configEnvVar, defaultConfigPath };

/** A config file is JSON written by a person: anything larger is a mistake (or /dev/zero). */
const largestConfigBytes = 64 * 1024 * 1024;

/** The file a command reads (--config, else $BULWARK_CONFIG, else the project's, else the embedded one) and how messages name it. */
function configSource(path: string | undefined): { path: string; label: string } {
  if (path !== undefined) return { path, label: "--config" };
  const fromEnvironment = process.env[configEnvVar];
  if (fromEnvironment) return { path: fromEnvironment, label: `${configEnvVar}=${fromEnvironment}` };
  return { path: defaultConfigPath(), label: "config" };
}

async function readConfigText(path: string, label: string): Promise<string> {
  let size: number;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) throw new UsageError(`${label}: not a regular file: ${path}`);
    size = stats.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === "ENOENT" || code === "ENOTDIR" ? `${label}: no such file: ${path}` : `${label}: cannot read ${path} (${code ?? String(error)})`);
  }
  if (size > largestConfigBytes) throw new UsageError(`${label}: ${path} is ${size} bytes; a config file is at most ${largestConfigBytes} bytes`);
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(`${label}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

export interface LoadConfigOptions {
  registry?: Registry;
  /** Ctrl-C: validating a huge config stops between phases (exit 130). */
  abortSignal?: AbortSignal;
}

/** Loads and validates the config; every problem becomes part of one exit-2 message. */
export async function loadConfig(path?: string, options: LoadConfigOptions = {}): Promise<BulwarkConfig> {
  const source = configSource(path);
  useProjectConfig(source.path);
  const text = await readConfigText(source.path, source.label);
  let raw: unknown;
  try {
    raw = JSON.parse(text) as unknown;
  } catch (error) {
    // JSON.parse quotes a piece of the file: one line, and no URL credentials from it.
    const reason = withoutUrlCredentials(error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ");
    throw new UsageError(`config ${source.path}: not valid JSON: ${reason}`);
  }
  const result = await (options.registry ?? defaultRegistry).validateInterruptibly(withBulwarkDefaults(raw), options.abortSignal);
  if ("errors" in result) throw new UsageError(`config ${source.path}: ${result.errors.join("; ")}`);
  return result.config;
}

/**
 * The environment named by --env (or $BULWARK_ENV), else the config's default. `label` says where the
 * name came from (`--env` or `BULWARK_ENV=<name>`); only the config's own environments are found.
 */
export function pickEnvironment(config: BulwarkConfig, name: string | undefined, label = "--env"): { name: string; environment: EnvironmentConfig } {
  const chosen = name ?? config.defaultEnvironment;
  const environment = named(config.environments, chosen);
  if (!environment) throw new UsageError(`${name === undefined ? "defaultEnvironment" : label}: unknown environment ${quoteName(chosen)} (known: ${Object.keys(config.environments).join(", ")})`);
  return { name: chosen, environment };
}

/** Validates a raw config against the full schema of the built-in step kinds. */
export const validateConfig = (raw: unknown) => defaultRegistry.validate(raw);
