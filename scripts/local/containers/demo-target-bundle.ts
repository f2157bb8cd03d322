import { existsSync } from "node:fs";
import { buildSync } from "esbuild";
import { ToolingError } from "../../core/errors.ts";
import { repoPath } from "../../core/repo-root.ts";

/**
 * The demo target as one self-contained ES module for the image. Debian 12's nodejs is v18, hence the
 * target; everything (including npm packages) is bundled because the image has no node_modules.
 */
export function bundleDemoTarget(): Buffer {
  const entry = repoPath("scripts", "demo-target", "main.ts");
  if (!existsSync(entry)) throw new ToolingError(`image demo-target: ${entry} not found`);
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    target: "node18",
    format: "esm",
    write: false,
    logLevel: "silent",
  });
  const output = result.outputFiles[0];
  if (!output) throw new ToolingError("image demo-target: esbuild produced no output");
  return Buffer.from(output.contents);
}
