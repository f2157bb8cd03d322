import { booleanFlag, stringFlag, type Command } from "./command.ts";
import { loadConfig } from "../registry/config.ts";
import { printJson, say, table } from "../core/output.ts";
import { listScenarios } from "../kinds/load/scenarios.ts";
import { withDrills } from "../../chaos/drills/definition.ts";

export const listCommand: Command = {
  name: "list",
  summary: "list scenarios, suites, profiles and environments",
  help: `Usage: bulwark list [--json] [--config <file>]

Examples:
  bulwark list
  bulwark list --json | jq '.suites[].name'
`,
  options: { config: { type: "string" } },
  async run(context) {
    const config = withDrills(await loadConfig(stringFlag(context, "config")));
    const listing = {
      scenarios: listScenarios().map((entry) => ({ name: entry.name, description: entry.description, defaultProfile: entry.defaultProfile, endpoints: entry.endpoints === "all" ? config.endpoints.map((endpoint) => endpoint.name) : [...entry.endpoints], origin: entry.origin })),
      suites: Object.entries(config.suites).map(([name, suite]) => ({ name, description: suite.description, steps: suite.steps.map((step) => ("scenario" in step ? String(step.scenario) : Object.entries(step).map(([key, value]) => `${key} ${String(value)}`).join(" "))) })),
      profiles: Object.entries(config.profiles).map(([name, profile]) => ({ name, executor: profile.executor })),
      drills: Object.entries(config.drills).map(([name, drill]) => ({ name, kind: drill.kind, description: drill.description })),
      environments: Object.entries(config.environments).map(([name, environment]) => ({ name, description: environment.description, demo: environment.demo })),
    };
    if (booleanFlag(context, "json")) {
      printJson(listing);
      return 0;
    }
    say("Scenarios:\n" + table(listing.scenarios.map((s) => ["  " + s.name, s.defaultProfile, s.description])));
    say("\nSuites:\n" + table(listing.suites.map((s) => ["  " + s.name, s.steps.join(" -> "), s.description])));
    say("\nProfiles:\n" + table(listing.profiles.map((p) => ["  " + p.name, p.executor])));
    say("\nDrills:\n" + table(listing.drills.map((d) => ["  " + d.name, d.kind, d.description])));
    say("\nEnvironments:\n" + table(listing.environments.map((e) => ["  " + e.name, e.demo ? "demo target" : "", e.description])));
    return 0;
  },
};
