import { booleanFlag, stringFlag, type Command } from "./command.ts";
import { defaultConfigPath, loadConfig } from "../registry/config.ts";
import { printJson, say } from "../core/output.ts";

export const validateCommand: Command = {
  name: "validate",
  summary: "check the config file (schema and cross-references) without running anything",
  help: `Usage: bulwark validate [--config <file>] [--json]

Exit 0 when the config is valid, 2 with every problem as path.to.key: message otherwise.

Examples:
  bulwark validate
  bulwark validate --config ci/bulwark.config.json
`,
  options: { config: { type: "string" } },
  async run(context) {
    const path = stringFlag(context, "config", "BULWARK_CONFIG") ?? defaultConfigPath();
    const config = await loadConfig(path);
    const counts = { endpoints: config.endpoints.length, profiles: Object.keys(config.profiles).length, suites: Object.keys(config.suites).length, environments: Object.keys(config.environments).length };
    if (booleanFlag(context, "json")) printJson({ valid: true, path, ...counts });
    else say(`${path}: valid (${counts.endpoints} endpoints, ${counts.profiles} profiles, ${counts.suites} suites, ${counts.environments} environments)`);
    return 0;
  },
};
