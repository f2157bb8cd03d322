// Where experiments come from: bulwark's built-in examples (chaos/experiments-examples, aimed at the
// local cluster's demo workloads), inline under `experiments` in the config, and one <name>.json file
// each in the folder `experimentsDir` names (relative to the config file). All are validated by the same
// schema; a project experiment of a built-in's name replaces it, and a project name may be defined once.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { formatIssue } from "../../thresholds/load-config.ts";
import { namePattern, nameRule } from "../../thresholds/schema.ts";
import { packagePath, projectRoot } from "../../scripts/core/project-root.ts";
import { experimentSchema, type Experiment } from "./schema.ts";

/** The chaos kind's config keys, as the registry parsed them. */
export interface ExperimentsConfig {
  experimentsDir: string;
  experiments: Record<string, Experiment>;
}

export interface CatalogEntry {
  name: string;
  experiment: Experiment;
  /** The file it came from, or "config" for inline ones. */
  source: string;
}

export interface Catalog {
  entries: Map<string, CatalogEntry>;
  /** `path: message` lines for every invalid file or duplicate name. */
  errors: string[];
}

/** Experiments are small; a larger file is a mistake. */
const largestFileBytes = 1024 * 1024;

export const experimentsFolder = (config: ExperimentsConfig): string => resolve(projectRoot(), config.experimentsDir);

function readExperimentFile(path: string, label: string): { experiment?: Experiment; errors: string[] } {
  if (statSync(path).size > largestFileBytes) return { errors: [`${label}: larger than ${largestFileBytes} bytes`] };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8")) as unknown;
  } catch (error) {
    return { errors: [`${label}: not valid JSON: ${(error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ")}`] };
  }
  const parsed = experimentSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) return { errors: parsed.error.issues.map((issue) => `${label}: ${formatIssue(issue)}`) };
  return { experiment: parsed.data, errors: [] };
}

const builtInFolderName = join("chaos", "experiments-examples");
const builtInFolder = (): string => packagePath(builtInFolderName);

const experimentFiles = (folder: string): string[] =>
  existsSync(folder) && statSync(folder).isDirectory()
    ? readdirSync(folder, { withFileTypes: true })
        .filter((entry) => entry.isFile() && entry.name.endsWith(".json"))
        .map((entry) => entry.name)
        .sort()
    : [];

/** bulwark's own example experiments, always there like its built-in scenarios. */
function builtInEntries(): Map<string, CatalogEntry> {
  const entries = new Map<string, CatalogEntry>();
  for (const file of experimentFiles(builtInFolder())) {
    const name = basename(file, ".json");
    const { experiment } = readExperimentFile(join(builtInFolder(), file), file);
    if (experiment) entries.set(name, { name, experiment, source: join(builtInFolderName, file) });
  }
  return entries;
}

const sameFolder = (a: string, b: string): boolean => existsSync(a) && existsSync(b) && realpathSync(a) === realpathSync(b);

/** Every experiment: the project's inline ones and the files of experimentsDir (a missing folder holds none), then the built-in ones it does not replace. */
export function loadCatalog(config: ExperimentsConfig): Catalog {
  const entries = new Map<string, CatalogEntry>();
  const builtIns = builtInEntries();
  const withBuiltIns = (): Map<string, CatalogEntry> => {
    for (const [name, entry] of builtIns) if (!entries.has(name)) entries.set(name, entry);
    return entries;
  };
  const projectNames = new Set<string>();
  const errors: string[] = [];
  for (const [name, experiment] of Object.entries(config.experiments ?? {})) {
    entries.set(name, { name, experiment, source: "config" });
    projectNames.add(name);
  }
  const folder = experimentsFolder(config);
  if (sameFolder(folder, builtInFolder())) return { entries: withBuiltIns(), errors };
  for (const file of experimentFiles(folder)) {
    const name = basename(file, ".json");
    const label = `${join(config.experimentsDir, file)}`;
    if (!namePattern.test(name)) {
      errors.push(`${label}: the file name is the experiment's name and ${nameRule}`);
      continue;
    }
    if (projectNames.has(name)) {
      errors.push(`${label}: experiment '${name}' is also defined under experiments in the config`);
      continue;
    }
    const { experiment, errors: fileErrors } = readExperimentFile(join(folder, file), label);
    errors.push(...fileErrors);
    if (experiment) entries.set(name, { name, experiment, source: label });
    projectNames.add(name);
  }
  return { entries: withBuiltIns(), errors };
}

/** Whether an entry is one of bulwark's built-in examples. */
export const isBuiltIn = (entry: CatalogEntry): boolean => entry.source.startsWith(builtInFolderName);

/** The names a "known: …" hint offers: the project's first, then the built-in examples. */
export function knownExperimentsText(catalog: Catalog): string {
  const entries = [...catalog.entries.values()];
  const project = entries.filter((entry) => !isBuiltIn(entry)).map((entry) => entry.name);
  const builtIn = entries.filter(isBuiltIn).map((entry) => entry.name);
  const projectText = project.length > 0 ? project.join(", ") : "none in the project: add experiments to the config or experimentsDir";
  return builtIn.length > 0 ? `${projectText}; built-in: ${builtIn.join(", ")}` : projectText;
}

/** The experiment named `name`, or undefined. */
export const findExperiment = (catalog: Catalog, name: string): CatalogEntry | undefined => catalog.entries.get(name);
