import { build, type BuildFailure, type BuildOptions } from "esbuild";
import { relative } from "node:path";
import { UsageError } from "../../core/errors.ts";
import { repoPath, repoRoot } from "../../core/repo-root.ts";

export const scenarioSourcePath = (name: string): string => repoPath("scenarios", `${name}.ts`);
export const scenarioBundlePath = (name: string): string => repoPath("dist", "scenarios", `${name}.js`);

function isBuildFailure(error: unknown): error is BuildFailure {
  return error instanceof Error && Array.isArray((error as Partial<BuildFailure>).errors);
}

/** esbuild's first error as one line: `file:line:column: text`. */
function bundleErrorLine(error: BuildFailure): string {
  const first = error.errors[0];
  if (!first) return error.message.split("\n")[0] ?? "unknown bundling error";
  const where = first.location ? `${relative(repoRoot, first.location.file) || first.location.file}:${first.location.line}:${first.location.column + 1}: ` : "";
  return `${where}${first.text}`;
}

/** How scenarios are bundled for the load engine (docs/engine.md). */
const engineBundleOptions = {
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
    await build({ ...engineBundleOptions, entryPoints, outdir });
  } catch (error) {
    if (isBuildFailure(error)) throw new UsageError(`scenario bundle: ${bundleErrorLine(error)}`);
    throw error;
  }
}

/** Bundles the named scenarios of this repository into dist/scenarios/. */
export async function bundleScenarios(names: readonly string[]): Promise<void> {
  await bundleForEngine(Object.fromEntries(names.map((name) => [name, scenarioSourcePath(name)])), repoPath("dist", "scenarios"));
}
