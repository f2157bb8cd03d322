import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resolveProfile } from "../../../thresholds/load-config.ts";
import { validateConfig } from "../../../scripts/registry/config.ts";
import { defaultRegistry } from "../../../scripts/registry/registry.ts";
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
    ["a negative duration", (c) => (c.profiles.load.duration = "-5s"), /^profiles\.load\.duration: invalid duration "-5s": must be a duration/],
    ["a zero duration", (c) => (c.profiles.smoke.duration = "0s"), /^profiles\.smoke\.duration: invalid duration "0s": must be greater than zero/],
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
    ["a duration with a space", (c) => (c.profiles.smoke.duration = "5 s"), /^profiles\.smoke\.duration: invalid duration "5 s"/],
    ["a duration over 7 days", (c) => (c.profiles.soak.duration = "200h"), /^profiles\.soak\.duration: invalid duration "200h": must be at most 7 days/],
    ["maxVUs below preAllocatedVUs", (c) => (c.profiles.load.maxVUs = 5), /^profiles\.load\.maxVUs: 5 is below preAllocatedVUs 20/],
    ["an environment's maxVUs below its preAllocatedVUs", (c) => (c.environments.local.profiles.load.maxVUs = 2), /^environments\.local\.profiles\.load\.maxVUs: 2 is below preAllocatedVUs 5/],
    ["1e9 VUs", (c) => (c.profiles.load.maxVUs = 1e9), /^profiles\.load\.maxVUs: 1000000000 is above 100000: one load engine process cannot run more VUs/],
    ["an arrival rate over a million per second", (c) => (c.profiles.load.ratePerSecond = 2e6), /^profiles\.load\.ratePerSecond: must be at most 1000000 iterations\/s.*\(got 2000000\)/],
    ["p95 above p99", (c) => (c.slo.critical.latencyP95Ms = 600), /^slo\.critical: latencyP95Ms 600 is above latencyP99Ms 500/],
    ["p95 above p99 after an endpoint's override", (c) => (c.endpoints[0].slo = { latencyP99Ms: 150 }), /^endpoints\.0\.slo: latencyP95Ms 200 is above latencyP99Ms 150/],
    ["p95 above p99 after an environment's override", (c) => (c.environments.local.slo = { "get-order": { latencyP95Ms: 2000 } }), /^environments\.local\.slo\.get-order: latencyP95Ms 2000 is above latencyP99Ms 1000/],
    ["a suite name with ../", (c) => (c.suites["../escape"] = c.suites.nightly), /^suites\.\.\.\/escape: must be lower-case ASCII.*\(got "\.\.\/escape"\)/],
    ["a non-ASCII suite name", (c) => (c.suites["nächtlich"] = c.suites.nightly), /^suites\.nächtlich: must be lower-case ASCII/],
    ["an upper-case environment name", (c) => (c.environments.Staging = { demo: true }), /^environments\.Staging: must be lower-case ASCII/],
    ["a step profile that is a prototype key", (c) => (c.suites.nightly.steps[1].profile = "constructor"), /^suites\.nightly\.steps\.1\.profile: unknown profile 'constructor'/],
    ["a suite profile that is a prototype key", (c) => (c.suites.nightly.profile = "constructor"), /^suites\.nightly\.profile: unknown profile 'constructor'/],
    ["__proto__ as a suite name", (c) => Object.defineProperty(c.suites, "__proto__", { value: c.suites.nightly, enumerable: true }), /^suites\.__proto__: '__proto__' cannot be a name or key/],
  ])("rejects %s, naming the key", (_, mutate, expected) => {
    expect(errorsOf(mutate)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });
});

describe("names and maps", () => {
  it("accepts constructor as a suite name, and finds only the config's own names", () => {
    const config = shippedConfig();
    config.suites.constructor = config.suites.nightly;
    const result = validateConfig(config);
    if ("errors" in result) throw new Error(result.errors.join("\n"));
    const lookUp = (map: Record<string, unknown>, name: string) => map[name];
    expect(lookUp(result.config.suites, "constructor")).toMatchObject({ steps: expect.any(Array) });
    expect(lookUp(result.config.suites, "toString")).toBeUndefined();
    expect(lookUp(result.config.profiles, "hasOwnProperty")).toBeUndefined();
  });

  it("trims the spaces around a duration", () => {
    const config = shippedConfig();
    config.profiles.soak.duration = " 1h ";
    const result = validateConfig(config);
    if ("errors" in result) throw new Error(result.errors.join("\n"));
    expect(result.config.profiles.soak).toMatchObject({ duration: "1h" });
  });

});

describe("interruptible validation", () => {
  it("stops with exit 130 when aborted (Ctrl-C), and validates otherwise", async () => {
    const aborted = new AbortController();
    aborted.abort("SIGINT");
    await expect(defaultRegistry.validateInterruptibly(shippedConfig(), aborted.signal)).rejects.toMatchObject({ code: 130, message: expect.stringMatching(/interrupted while validating the config/) });
    const result = await defaultRegistry.validateInterruptibly(shippedConfig(), new AbortController().signal);
    expect("config" in result).toBe(true);
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
