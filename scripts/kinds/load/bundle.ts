import { build, type BuildFailure, type BuildOptions } from "esbuild";
import { relative } from "node:path";
import { UsageError } from "../../core/errors.ts";
import { projectPath, projectRoot } from "../../core/project-root.ts";
import { findScenario, scenarioAlias } from "./scenarios.ts";

/** Bundles live in the project (<project>/.bulwark/bundles/), never in bulwark's own folder. */
export const bundlesFolder = (): string => projectPath(".bulwark", "bundles");
export const scenarioBundlePath = (name: string): string => projectPath(".bulwark", "bundles", `${name}.js`);

function isBuildFailure(error: unknown): error is BuildFailure {
  return error instanceof Error && Array.isArray((error as Partial<BuildFailure>).errors);
}

/** A Node built-in: the engine is not Node, so no scenario (nor a package it imports) can use one. */
const nodeBuiltIn = /^Could not resolve "(node:[^"]+)"|^Could not resolve "(fs|path|os|child_process|crypto|http|https|net|url|util|stream|events|zlib|buffer|worker_threads|tls|dns|readline|vm|assert)(\/[^"]*)?"/;

/** esbuild's first error as one line: `file:line:column: text`, relative to the project. */
export function bundleErrorLine(error: BuildFailure): string {
  const first = error.errors[0];
  if (!first) return error.message.split("\n")[0] ?? "unknown bundling error";
  const where = first.location ? `${relative(projectRoot(), first.location.file) || first.location.file}:${first.location.line}:${first.location.column + 1}: ` : "";
  const builtIn = nodeBuiltIn.exec(first.text);
  const text = builtIn ? `${first.text}: a Node built-in, which the load engine does not have (scenarios run on the engine, not on Node)` : first.text;
  return `${where}${text}`;
}

/** How scenarios are bundled for the load engine (docs/engine.md). */
export const engineBundleOptions = {
  bundle: true,
  // Neither Node nor a browser: a Node built-in import fails here instead of at run time.
  platform: "neutral",
  mainFields: ["module", "main"],
  // goja compiles no import/export.
  format: "cjs",
  // The engine's JavaScript runtime (goja) is ES2017-complete; later syntax is lowered.
  target: "es2017",
  // The engine provides k6's modules; a remote import is refused by the engine, naming it.
  external: ["k6", "k6/*", "https://*"],
  // Errors and stack traces from the engine point at the TypeScript source.
  sourcemap: "inline",
  logLevel: "silent",
} satisfies BuildOptions;

/** Bundles entry files (name -> source path) into outdir; an unbundlable scenario is bad input (exit 2). */
export async function bundleForEngine(entryPoints: Record<string, string>, outdir: string): Promise<void> {
  try {
    await build({ ...engineBundleOptions, entryPoints, outdir, alias: scenarioAlias() });
  } catch (error) {
    if (isBuildFailure(error)) throw new UsageError(`scenario bundle: ${bundleErrorLine(error)}`);
    throw error;
  }
}

/** Bundles the named scenarios (built-in or the project's) into <project>/.bulwark/bundles/. */
export async function bundleScenarios(names: readonly string[]): Promise<void> {
  const entries = names.map((name) => {
    const entry = findScenario(name);
    if (!entry) throw new UsageError(`unknown scenario '${name}'`);
    return [name, entry.source] as const;
  });
  await bundleForEngine(Object.fromEntries(entries), bundlesFolder());
}
