// Where the running monitoring estate keeps its files (configuration, rules, scrape targets, ports): in
// the repository's ignored .bulwark/ folder, mounted read-only into both containers.
import { createHash } from "node:crypto";
import { isAbsolute, join } from "node:path";
import { UsageError } from "../../core/errors.ts";
import { cacheDir } from "../../core/cache-dir.ts";
import { repoPath } from "../../core/repo-root.ts";
import { rulesFolder, targetsFolder } from "./settings.ts";

const stateDirVariable = "BULWARK_MONITORING_STATE_DIR";

/** BULWARK_MONITORING_STATE_DIR (an absolute path) runs a second, independent estate (tests bring their own rules and intervals). */
export function stateDir(): string {
  const fromEnvironment = process.env[stateDirVariable];
  if (!fromEnvironment) return repoPath(".bulwark", "monitoring");
  if (!isAbsolute(fromEnvironment)) throw new UsageError(`${stateDirVariable}=${JSON.stringify(fromEnvironment).slice(1, -1)}: must be an absolute path`);
  return fromEnvironment;
}

/** Short id of an estate, derived from its folder: names its containers and its lock. */
export const estateId = (dir: string = stateDir()): string => createHash("sha256").update(dir).digest("hex").slice(0, 8);

export const monitoringPaths = {
  state: (dir = stateDir()) => join(dir, "state.json"),
  prometheusConfig: (dir = stateDir()) => join(dir, "prometheus.yml"),
  alertmanagerConfig: (dir = stateDir()) => join(dir, "alertmanager.yml"),
  rules: (dir = stateDir()) => join(dir, rulesFolder),
  targets: (dir = stateDir()) => join(dir, targetsFolder),
  lock: (dir = stateDir()) => cacheDir("monitoring", "locks", `up-${estateId(dir)}`),
};

/** The rule files shipped with bulwark: DemoHighErrorRate and DemoHighLatencyP95 on the demo target's metrics. */
export const shippedRuleFiles = (): string[] => [repoPath("scripts", "local", "monitoring", "rules", "demo.rules.yml")];
export const shippedRuleTests = (): string[] => [repoPath("scripts", "local", "monitoring", "rules", "demo.rules.test.yml")];
