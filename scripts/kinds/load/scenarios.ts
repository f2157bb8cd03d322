import { buildSync, type BuildFailure } from "esbuild";
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { runInNewContext } from "node:vm";
import { UsageError } from "../../core/errors.ts";
import { packagePath, projectRoot } from "../../core/project-root.ts";
import { engineBundleOptions, bundleErrorLine } from "./bundle.ts";

/** What a scenario file declares about itself with defineScenario (scenarios/lib/scenario.ts). */
export interface ScenarioEntry {
  name: string;
  description: string;
  /** Profile used when neither the suite, the command line nor the environment picks one. */
  defaultProfile: string;
  /** Endpoints (config names) the workflow calls; "all": every configured endpoint. */
  endpoints: readonly string[] | "all";
  /** The TypeScript (or JavaScript) file. */
  source: string;
  /** "built-in" (shipped with bulwark) or "project" (the config's scenariosDir). */
  origin: "built-in" | "project";
}

export const defaultScenariosDir = "scenarios";

let projectScenariosDir = defaultScenariosDir;

/** The config's scenariosDir (relative to the project root); set when the config is validated. */
export function useScenariosDir(dir: string | undefined): void {
  projectScenariosDir = dir ?? defaultScenariosDir;
}

export const projectScenariosFolder = (): string => resolve(projectRoot(), projectScenariosDir);
const builtInFolder = (): string => packagePath("scenarios");

/** Top-level .ts/.js files that call defineScenario: helpers (lib/, files without it) are not scenarios. */
function scenarioFiles(folder: string): string[] {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) return [];
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|js|mjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts"))
    .map((entry) => join(folder, entry.name))
    .filter((file) => readFileSync(file, "utf8").includes("defineScenario"))
    .sort();
}

/** Anything, callable, any property: k6's modules while a scenario only describes itself. */
function inert(): unknown {
  const target = function () {};
  const proxy: unknown = new Proxy(target, {
    get: (_, key) => (key === "__esModule" || typeof key === "symbol" ? undefined : proxy),
    apply: () => proxy,
    construct: () => proxy as object,
  });
  return proxy;
}

function isBuildFailure(error: unknown): error is BuildFailure {
  return error instanceof Error && Array.isArray((error as Partial<BuildFailure>).errors);
}

/** Bundles the file as for the engine and runs its init code with inert k6 modules, reading `export const scenario`. */
function describeFile(file: string, origin: ScenarioEntry["origin"]): ScenarioEntry {
  const shown = relative(projectRoot(), file) || file;
  let code: string;
  try {
    const result = buildSync({ ...engineBundleOptions, sourcemap: false, entryPoints: [file], write: false, alias: scenarioAlias() });
    code = result.outputFiles[0]?.text ?? "";
  } catch (error) {
    if (isBuildFailure(error)) throw new UsageError(`scenario bundle: ${bundleErrorLine(error)}`);
    throw error;
  }
  const module = { exports: {} as Record<string, unknown> };
  try {
    runInNewContext(code, { module, exports: module.exports, require: () => inert(), __ENV: { BULWARK_DESCRIBE: "1" }, __VU: 0, __ITER: 0, open: () => "", console: { log() {}, warn() {}, error() {}, info() {}, debug() {} } }, { filename: file, timeout: 5000 });
  } catch (error) {
    throw new UsageError(`scenario ${shown}: its init code failed while bulwark read its description: ${error instanceof Error ? error.message : String(error)}`);
  }
  const declared = module.exports.scenario as Partial<ScenarioEntry> | undefined;
  if (!declared || typeof declared.name !== "string") throw new UsageError(`scenario ${shown}: calls defineScenario but does not export it as \`export const scenario = defineScenario({...})\``);
  const endpoints = declared.endpoints === "all" ? "all" : Array.isArray(declared.endpoints) ? declared.endpoints.map(String) : [];
  return { name: declared.name, description: String(declared.description ?? ""), defaultProfile: String(declared.defaultProfile ?? "smoke"), endpoints, source: file, origin };
}

/** `bulwark/scenario` in a user's scenario is the helper of the bulwark that runs it. */
export const scenarioAlias = (): Record<string, string> => ({ "bulwark/scenario": packagePath("scenarios", "lib", "scenario.ts") });

const cache = new Map<string, { stamp: string; entry: ScenarioEntry }>();

function describeCached(file: string, origin: ScenarioEntry["origin"]): ScenarioEntry {
  const stamp = `${statSync(file).mtimeMs}:${statSync(file).size}`;
  const hit = cache.get(file);
  if (hit && hit.stamp === stamp) return hit.entry;
  const entry = describeFile(file, origin);
  cache.set(file, { stamp, entry });
  return entry;
}

/** Every scenario: bulwark's built-in ones, then the project's (a project scenario of the same name replaces the built-in). */
export function listScenarios(): ScenarioEntry[] {
  const builtIn = builtInFolder();
  const project = projectScenariosFolder();
  const sameFolder = existsSync(project) && realpathSync(project) === realpathSync(builtIn);
  const byName = new Map<string, ScenarioEntry>();
  for (const file of scenarioFiles(builtIn)) {
    const entry = describeCached(file, "built-in");
    byName.set(entry.name, entry);
  }
  if (!sameFolder) {
    const seen = new Map<string, string>();
    for (const file of scenarioFiles(project)) {
      const entry = describeCached(file, "project");
      const first = seen.get(entry.name);
      if (first) throw new UsageError(`scenario ${relative(projectRoot(), file)}: name '${entry.name}' is declared by ${relative(projectRoot(), first)} too`);
      seen.set(entry.name, file);
      byName.set(entry.name, entry);
    }
  }
  return [...byName.values()];
}

export function findScenario(name: string): ScenarioEntry | undefined {
  return listScenarios().find((entry) => entry.name === name);
}

/** The endpoint names a scenario calls, "all" resolved against the config. */
export function scenarioEndpoints(entry: ScenarioEntry, configured: readonly string[]): readonly string[] {
  return entry.endpoints === "all" ? configured : entry.endpoints;
}
