import { isAbsolute } from "node:path";
import { readFileSync } from "node:fs";
import { repoPath } from "../../scripts/core/repo-root.ts";

const anchored = (path: string): string => (isAbsolute(path) ? path : repoPath(path));

/**
 * The shipped bulwark.config.json, ready to be written anywhere (a test's temporary folder): the paths it
 * gives relative to its own folder (experimentsDir, the alert rule files) made absolute, so that a copy
 * next to nothing else still names the repository's experiments and rule files.
 */
export function shippedConfigCopy(): Record<string, any> {
  const config = JSON.parse(readFileSync(repoPath("bulwark.config.json"), "utf8")) as Record<string, any>;
  if (typeof config.experimentsDir === "string") config.experimentsDir = anchored(config.experimentsDir);
  for (const rules of Object.values<Record<string, unknown>>(config.alertRules ?? {})) {
    for (const key of ["ruleFiles", "ruleTests", "alertmanagerConfigs"]) {
      if (Array.isArray(rules[key])) rules[key] = (rules[key] as string[]).map(anchored);
    }
  }
  return config;
}
