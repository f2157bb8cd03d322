import { readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";

/**
 * The layers of docs/architecture.md, bottom to top. A module may import its own layer or a lower one;
 * layers of the same rank (the kinds and the local estate) may not import each other.
 */
export interface Layer {
  name: string;
  rank: number;
  /** Folder prefixes (ending in /) or single files, relative to the repository root. */
  paths: readonly string[];
}

export const layers: readonly Layer[] = [
  { name: "core", rank: 0, paths: ["scripts/core/"] },
  { name: "base config", rank: 1, paths: ["thresholds/"] },
  { name: "scenarios", rank: 2, paths: ["scenarios/"] },
  { name: "kinds", rank: 3, paths: ["scripts/kinds/", "chaos/"] },
  { name: "estate", rank: 3, paths: ["scripts/local/", "scripts/demo-target/", "scripts/setup/"] },
  { name: "reports", rank: 4, paths: ["reports/"] },
  { name: "registry", rank: 5, paths: ["scripts/registry/"] },
  { name: "cli", rank: 6, paths: ["scripts/commands/", "scripts/cli.ts", "scripts/generate-schemas.ts"] },
  { name: "tooling", rank: 7, paths: ["scripts/bench/"] },
];

export function layerOf(file: string): Layer | undefined {
  return layers.find((layer) => layer.paths.some((path) => (path.endsWith("/") ? file.startsWith(path) : file === path)));
}

const importPattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']/g;

/** The repository-relative files a module imports by relative path (packages are not layers). */
export function relativeImports(file: string, source: string): string[] {
  return [...source.matchAll(importPattern)].map((match) => normalize(join(dirname(file), match[1]!)));
}

export interface Violation {
  file: string;
  imports: string;
  rule: string;
}

/** Every import of `file` (given its source) that breaks the layer rules. */
export function violationsOf(file: string, source: string): Violation[] {
  const from = layerOf(file);
  if (!from) return [];
  return relativeImports(file, source).flatMap((target): Violation[] => {
    const to = layerOf(target);
    if (!to || to === from) return [];
    if (to.rank > from.rank) return [{ file, imports: target, rule: `${from.name} may not import ${to.name} (a higher layer)` }];
    if (to.rank === from.rank) return [{ file, imports: target, rule: `${from.name} and ${to.name} may not import each other` }];
    return [];
  });
}

export function violationsIn(root: string, files: readonly string[]): Violation[] {
  return files.flatMap((file) => violationsOf(file, readFileSync(join(root, file), "utf8")));
}
