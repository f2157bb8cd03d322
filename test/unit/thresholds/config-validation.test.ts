import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resolveProfile } from "../../../thresholds/load-config.ts";
import { validateConfig } from "../../../scripts/registry/config.ts";
import { repoPath } from "../../../scripts/core/repo-root.ts";

const shippedConfig = (): Record<string, any> => JSON.parse(readFileSync(repoPath("bulwark.config.json"), "utf8"));

function errorsOf(mutate: (config: Record<string, any>) => void): string[] {
  const config = shippedConfig();
  mutate(config);
  const result = validateConfig(config);
  if ("config" in result) throw new Error("expected the config to be rejected");
  return result.errors;
}

describe("validateConfig", () => {
  it("accepts the shipped config and fills in defaults", () => {
    const result = validateConfig(shippedConfig());
    if ("errors" in result) throw new Error(result.errors.join("\n"));
    expect(result.config.slo.critical).toEqual({ latencyP95Ms: 200, latencyP99Ms: 500, errorRate: 0.001 });
    expect(result.config.checksPassRate).toBe(0.999);
    expect(result.config.environments.local?.healthPath).toBe("/health");
  });

  it("defaults SLOs to p95 < 200 ms and 99.9 % availability when the config names none", () => {
    const config = shippedConfig();
    delete config.slo;
    delete config.checksPassRate;
    const result = validateConfig(config);
    if ("errors" in result) throw new Error(result.errors.join("\n"));
    expect(result.config.slo.critical.latencyP95Ms).toBe(200);
    expect(result.config.slo.critical.errorRate).toBe(0.001);
    expect(result.config.checksPassRate).toBe(0.999);
  });

  it.each<[string, (config: Record<string, any>) => void, RegExp]>([
    ["p95 written as a string", (c) => (c.slo.critical.latencyP95Ms = "200"), /^slo\.critical\.latencyP95Ms: .*expected number/],
    ["a negative duration", (c) => (c.profiles.load.duration = "-5s"), /^profiles\.load\.duration: must be a duration/],
    ["a zero duration", (c) => (c.profiles.smoke.duration = "0s"), /^profiles\.smoke\.duration: must be greater than zero/],
    ["a missing base URL", (c) => (c.environments.prod = { demo: false }), /^environments\.prod\.baseUrl: required unless demo is true/],
    ["a base URL that is not a URL", (c) => (c.environments.prod = { baseUrl: "not a url" }), /^environments\.prod\.baseUrl: /],
    ["no endpoints", (c) => delete c.endpoints, /^endpoints: /],
    ["an error rate above 1", (c) => (c.slo.standard.errorRate = 1.5), /^slo\.standard\.errorRate: /],
    ["an unknown executor", (c) => (c.profiles.load.executor = "per-vu-iterations"), /^profiles\.load\.executor: /],
    ["a misspelt key", (c) => (c.slo.critical.latencyP59Ms = 200), /^slo\.critical: .*latencyP59Ms/],
    ["an unknown scenario in a suite", (c) => (c.suites.nightly.steps[0].scenario = "checkout"), /^suites\.nightly\.steps\.0\.scenario: unknown scenario 'checkout'/],
    ["an unknown profile in a suite step", (c) => (c.suites.nightly.steps[1].profile = "lunch"), /^suites\.nightly\.steps\.1\.profile: unknown profile 'lunch'/],
    ["a token variable that is not a variable name", (c) => (c.environments.local.auth = { bearerTokenEnv: "my token" }), /^environments\.local\.auth\.bearerTokenEnv: must be an environment variable name/],
    ["an environment override that breaks a profile", (c) => (c.environments.local.profiles.load.ratePerSecond = -1), /^environments\.local\.profiles\.load\.ratePerSecond: /],
    ["an endpoint defined twice", (c) => c.endpoints.push({ ...c.endpoints[0] }), /^endpoints\.4\.name: 'list-items' is defined twice/],
    ["an unknown default environment", (c) => (c.defaultEnvironment = "prod"), /^defaultEnvironment: unknown environment 'prod'/],
    ["an SLO override for an unknown endpoint", (c) => (c.environments.local.slo = { checkout: { latencyP95Ms: 100 } }), /^environments\.local\.slo\.checkout: unknown endpoint/],
    ["a path without a leading slash", (c) => (c.endpoints[0].path = "api/items"), /^endpoints\.0\.path: must start with \//],
  ])("rejects %s, naming the key", (_, mutate, expected) => {
    expect(errorsOf(mutate)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });
});

describe("resolveProfile", () => {
  it("applies the environment's overrides on top of the config's profile", () => {
    const result = validateConfig(shippedConfig());
    if ("errors" in result) throw new Error(result.errors.join("\n"));
    const local = resolveProfile(result.config, "local", "load");
    expect(local).toMatchObject({ executor: "constant-arrival-rate", ratePerSecond: 20, duration: "10s" });
    expect(result.config.profiles.load).toMatchObject({ ratePerSecond: 50, duration: "5m" });
  });
});
