import { build } from "esbuild";
import { repoPath } from "../lib/repo-root.ts";

export const scenarioSourcePath = (name: string): string => repoPath("scenarios", `${name}.ts`);
export const scenarioBundlePath = (name: string): string => repoPath("dist", "scenarios", `${name}.js`);

/** Bundles scenarios for k6's browser-like runtime; k6's own modules and remote imports stay external. */
export async function bundleScenarios(names: readonly string[]): Promise<void> {
  await build({
    entryPoints: Object.fromEntries(names.map((name) => [name, scenarioSourcePath(name)])),
    outdir: repoPath("dist", "scenarios"),
    bundle: true,
    // k6 is an ES2020-ish runtime without Node or DOM APIs.
    platform: "browser",
    format: "esm",
    target: "es2020",
    // k6 resolves these itself at run time.
    external: ["k6", "k6/*", "https://*"],
    // Stack traces in k6 errors point at the TypeScript source.
    sourcemap: "inline",
    logLevel: "silent",
  });
}
