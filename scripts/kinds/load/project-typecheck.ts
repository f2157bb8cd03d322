import { existsSync } from "node:fs";
import { join } from "node:path";
import { cacheDir } from "../../core/cache-dir.ts";
import { packagePath, projectRoot } from "../../core/project-root.ts";
import { projectScenariosFolder } from "./scenarios.ts";
import type { TypeCheckRequest } from "./typecheck.ts";

/**
 * The type check of the project's scenarios: the tsconfig.json in its scenarios folder, with the
 * project's TypeScript (else bulwark's own, when it has one); messages name files from the project root.
 */
export function projectTypeCheck(): TypeCheckRequest {
  const projectTsc = join(projectRoot(), "node_modules", "typescript", "bin", "tsc");
  return {
    project: join(projectScenariosFolder(), "tsconfig.json"),
    root: projectRoot(),
    tsc: existsSync(projectTsc) ? projectTsc : packagePath("node_modules", "typescript", "bin", "tsc"),
    cacheFolder: cacheDir("scenario-typecheck"),
  };
}
