import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { shippedConfigCopy } from "../support/shipped-config.ts";
import { runCli, temporaryReportsRoot } from "../support/run-cli.ts";

function configFile(mutate: (config: Record<string, any>) => void): string {
  const config = shippedConfigCopy();
  mutate(config);
  const path = join(mkdtempSync(join(tmpdir(), "bulwark-config-")), "bulwark.config.json");
  writeFileSync(path, JSON.stringify(config));
  return path;
}

function rawConfigFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "bulwark-config-")), "bulwark.config.json");
  writeFileSync(path, text);
  return path;
}

const cases: [string, () => string[], RegExp][] = [
  ["an unknown scenario", () => ["run", "checkout"], /unknown scenario 'checkout'/],
  ["an unknown suite", () => ["gate", "weekly"], /unknown suite 'weekly'/],
  ["an unknown flag", () => ["run", "smoke", "--speed", "5"], /Unknown option '--speed'/],
  ["an unknown command", () => ["stampede"], /unknown command 'stampede'/],
  ["--real-node with down", () => ["local", "down", "--real-node"], /local down: --real-node only goes with up/],
  ["--real-node without the cluster", () => ["local", "up", "--containers", "--real-node"], /local up: --real-node needs the cluster/],
  ["a missing scenario argument", () => ["run"], /missing <scenario>/],
  ["p95 written as a string", () => ["run", "smoke", "--config", configFile((c) => (c.slo.critical.latencyP95Ms = "200"))], /slo\.critical\.latencyP95Ms: .*expected number, received string/],
  ["a missing base URL", () => ["run", "smoke", "--env", "prod", "--config", configFile((c) => (c.environments.prod = {}))], /environments\.prod\.baseUrl: required unless demo is true/],
  ["a negative duration", () => ["gate", "nightly", "--config", configFile((c) => (c.profiles.load.duration = "-30s"))], /profiles\.load\.duration: invalid duration "-30s": must be a duration/],
  ["wrong types", () => ["validate", "--config", configFile((c) => (c.endpoints = { name: "list-items" }))], /endpoints: .*expected array, received object/],
  ["malformed JSON", () => ["validate", "--config", rawConfigFile("{ \"endpoints\": [ ")], /not valid JSON/],
  ["a config file that does not exist", () => ["validate", "--config", join(tmpdir(), "no-such-dir", "bulwark.config.json")], /--config: no such file/],
  ["an unknown environment", () => ["run", "smoke", "--env", "moon"], /--env: unknown environment 'moon'/],
  ["an unknown profile", () => ["run", "smoke", "--profile", "lunch"], /--profile: unknown profile 'lunch'/],
  ["a target that is not a URL", () => ["run", "smoke", "--target", "localhost-ish"], /--target: 'localhost-ish' is not a URL/],
  ["a malformed demo fault", () => ["run", "smoke", "--demo-fault", "latency=soon"], /--demo-fault latency: 'soon'/],
  ["a token variable that is not set", () => ["run", "smoke", "--config", configFile((c) => (c.environments.local.auth = { bearerTokenEnv: "BULWARK_TEST_UNSET_TOKEN" }))], /BULWARK_TEST_UNSET_TOKEN is not set/],
];

describe("bad input exits 2 with one line naming the problem", () => {
  it.each(cases)("%s", async (_, args, message) => {
    const reports = temporaryReportsRoot();
    const { code, stderr } = await runCli([...args(), ...(args()[0] === "run" || args()[0] === "gate" ? ["--out", reports] : [])], { BULWARK_TEST_UNSET_TOKEN: "" });
    expect(code, stderr).toBe(2);
    const lines = stderr.trim().split("\n");
    expect(lines, stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^bulwark: /);
    expect(lines[0]).toMatch(message);
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});

describe("list and validate", () => {
  it("list --json names scenarios and suites", async () => {
    const { code, stdout } = await runCli(["list", "--json"]);
    expect(code).toBe(0);
    const listing = JSON.parse(stdout);
    expect(listing.scenarios.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(["smoke", "browse-catalog", "place-order"]));
    expect(listing.suites.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(["nightly", "release"]));
  });

  it("validate accepts the shipped config", async () => {
    const { code, stderr } = await runCli(["validate"]);
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/bulwark\.config\.json: valid/);
  });

  it("every command has --help with an example", async () => {
    for (const command of ["run", "gate", "list", "validate", "local"]) {
      const { code, stdout } = await runCli([command, "--help"]);
      expect(code, command).toBe(0);
      expect(stdout, command).toMatch(/Usage: bulwark /);
      expect(stdout, command).toMatch(/Examples?:/);
    }
  });
});
