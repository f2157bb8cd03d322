import { describe, expect, it } from "vitest";
import { parseDuration } from "../../../thresholds/duration.ts";
import { resolveProfile } from "../../../thresholds/load-config.ts";
import { withBulwarkDefaults } from "../../../thresholds/config-defaults.ts";
import { defaultRegistry, type BulwarkConfig } from "../../../scripts/registry/registry.ts";
import { chooseEnvironment } from "../../../scripts/commands/target-environment.ts";
import { buildRunPlan } from "../../../scripts/kinds/load/plan.ts";
import { findScenario } from "../../../scripts/kinds/load/scenarios.ts";
import type { CommandContext } from "../../../scripts/commands/command.ts";

/** A user's config: only what differs from bulwark's defaults. */
const minimal = {
  endpoints: [{ name: "get-user", path: "/api/users/{id}", example: { params: { id: 7 } } }],
  suites: { nightly: { steps: [{ scenario: "endpoints" }] } },
  environments: { staging: { baseUrl: "https://staging.example", healthPath: false, allowChaos: true } },
  defaultEnvironment: "staging",
};

function validated(raw: unknown): BulwarkConfig {
  const result = defaultRegistry.validate(withBulwarkDefaults(raw));
  if ("errors" in result) throw new Error(result.errors.join("; "));
  return result.config;
}

const context = (flags: CommandContext["flags"]): CommandContext => ({ positionals: [], flags, abortSignal: new AbortController().signal });

describe("a user's config", () => {
  it("needs only what differs from the defaults: the standard profiles and SLOs are built in", () => {
    const config = validated(minimal);
    expect(Object.keys(config.profiles).sort()).toEqual(["breakpoint", "load", "smoke", "soak", "spike", "stress"]);
    expect(config.slo.critical.latencyP95Ms).toBe(200);
  });

  it("turns the health check off with healthPath false; endpoints carry their example into the plan", () => {
    const config = validated(minimal);
    const plan = buildRunPlan({ config, environmentName: "staging", scenario: "endpoints", profileName: "smoke", baseUrl: "https://staging.example", runId: "t" });
    expect(plan.healthPath).toBeNull();
    expect(plan.endpoints[0]!.example).toEqual({ params: { id: 7 } });
    expect(findScenario("endpoints")).toMatchObject({ endpoints: "all", origin: "built-in" });
  });

  it("--target without --env runs in an environment of its own: never the demo, no chaos, the real profiles", () => {
    const config = validated({ ...minimal, environments: { ...minimal.environments, local: { demo: true, allowChaos: true, allowDestructive: true, profiles: { smoke: { duration: "1s" } } } }, defaultEnvironment: "local" });
    const chosen = chooseEnvironment(config, context({ target: "http://127.0.0.1:9" }));
    expect(chosen.environmentName).toBe("target");
    expect(chosen.environment).toMatchObject({ demo: false, allowChaos: false, allowDestructive: false, healthPath: "/health" });
    expect(resolveProfile(chosen.config, "target", "smoke")).toMatchObject({ duration: "10s" });
  });

  it("--duration and --rate reshape every profile for a quick look", () => {
    const config = validated(minimal);
    const chosen = chooseEnvironment(config, context({ duration: "4s", rate: "3" }));
    expect(resolveProfile(chosen.config, "staging", "load")).toMatchObject({ ratePerSecond: 3, duration: "4s" });
    const stress = resolveProfile(chosen.config, "staging", "stress");
    if (stress.executor !== "ramping-arrival-rate") throw new Error("stress ramps");
    expect(stress.stages.reduce((total, stage) => total + (parseDuration(stage.duration) ?? 0), 0)).toBeCloseTo(4000, -1);
    expect(Math.max(...stress.stages.map((stage) => stage.target))).toBe(3);
    expect(() => chooseEnvironment(config, context({ duration: "soon" }))).toThrow(/--duration/);
  });
});
