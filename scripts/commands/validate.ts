import { booleanFlag, stringFlag, type Command } from "./command.ts";
import { defaultConfigPath, loadConfig } from "../registry/config.ts";
import { printJson, say } from "../core/output.ts";
import { UsageError } from "../core/errors.ts";
import { listScenarios } from "../kinds/load/scenarios.ts";
import { projectTypeCheck } from "../kinds/load/project-typecheck.ts";
import { typeCheckScenarios } from "../kinds/load/typecheck.ts";

export const validateCommand: Command = {
  name: "validate",
  summary: "check the config and the scenarios (bundled and type-checked) without running anything",
  help: `Usage: bulwark validate [--config <file>] [--json]

Exit 0 when the config is valid and every scenario bundles for the load engine and type-checks
(scenarios/tsconfig.json of the project, when TypeScript is installed); 2 otherwise, with every config
problem as path.to.key: message, or the scenario's file:line.

Examples:
  bulwark validate
  bulwark validate --config ci/bulwark.config.json
`,
  options: { config: { type: "string" } },
  async run(context) {
    const path = stringFlag(context, "config", "BULWARK_CONFIG") ?? defaultConfigPath();
    const config = await loadConfig(stringFlag(context, "config"), { abortSignal: context.abortSignal });
    const scenarios = listScenarios();
    const endpointNames = new Set(config.endpoints.map((endpoint) => endpoint.name));
    // The built-in scenarios are checked where a suite uses them; the project's own must match its config.
    const unknown = scenarios
      .filter((entry) => entry.origin === "project" && entry.endpoints !== "all")
      .flatMap((entry) => (entry.endpoints as readonly string[]).filter((name) => !endpointNames.has(name)).map((name) => `scenario ${entry.name}: calls endpoint '${name}', which endpoints does not define`));
    if (unknown.length > 0) throw new UsageError(unknown.join("; "));
    const typeCheck = await typeCheckScenarios(projectTypeCheck());
    const counts = { scenarios: scenarios.length, endpoints: config.endpoints.length, profiles: Object.keys(config.profiles).length, suites: Object.keys(config.suites).length, environments: Object.keys(config.environments).length };
    if (booleanFlag(context, "json")) printJson({ valid: true, path, typeCheck, ...counts });
    else say(`${path}: valid (${counts.endpoints} endpoints, ${counts.profiles} profiles, ${counts.suites} suites, ${counts.environments} environments, ${counts.scenarios} scenarios${typeCheck === "skipped" ? "; scenarios not type-checked: no TypeScript or no scenarios/tsconfig.json in the project" : ", type-checked"})`);
    return 0;
  },
};
