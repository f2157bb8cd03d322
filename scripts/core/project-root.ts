import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { repoPath, repoRoot } from "./repo-root.ts";

/**
 * Two roots. The package root is where bulwark's own files are (dist/, the engine's sources, the
 * embedded scenarios and config): repo-root.ts. The project root is the user's repository: the folder
 * of the config in use (--config, $BULWARK_CONFIG, else the nearest bulwark.config.json above the
 * working directory, else the embedded one). Reports, history, bundles and plans live under the project.
 */
export const configFileName = "bulwark.config.json";
export const configEnvVar = "BULWARK_CONFIG";

export const packageRoot = repoRoot;
export const packagePath = repoPath;

/** The nearest folder at or above `start` holding bulwark.config.json. */
export function findProjectConfig(start: string = process.cwd()): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, configFileName);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

let configInUse: string | undefined;

/** The config file a command reads when it names none: $BULWARK_CONFIG, the project's, else the embedded default. */
export function defaultConfigPath(): string {
  return process.env[configEnvVar] || findProjectConfig() || packagePath(configFileName);
}

/** Called by the config loader: the project is the folder of the config in use. */
export function useProjectConfig(path: string): void {
  configInUse = resolve(path);
}

export function projectRoot(): string {
  return dirname(configInUse ?? resolve(defaultConfigPath()));
}

export const projectPath = (...parts: string[]): string => join(projectRoot(), ...parts);
