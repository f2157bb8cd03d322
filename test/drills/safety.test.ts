import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.ts";
import { drillSandbox, type DrillSandbox } from "../support/drill-fixture.ts";

/** A drill whose every command leaves a marker file, so "nothing was touched" can be checked. */
function markerConfig(sandbox: DrillSandbox): string {
  const marker = (name: string) => `touch '${join(sandbox.root, name)}'`;
  return sandbox.writeConfig({
    environments: { staging: { description: "shared staging", baseUrl: "http://127.0.0.1:9/", allowDestructive: false } },
    drills: {
      markers: {
        kind: "command",
        availabilityProbe: { kind: "http", url: "http://127.0.0.1:9/health" },
        commands: { setup: marker("setup-ran"), disaster: marker("destroyed"), restore: marker("restored"), teardown: marker("teardown-ran") },
      },
    },
  });
}

function expectNothingTouched(sandbox: DrillSandbox): void {
  for (const name of ["setup-ran", "destroyed", "restored", "teardown-ran"]) expect(existsSync(join(sandbox.root, name)), name).toBe(false);
  expect(sandbox.runDirectories()).toEqual([]);
  expect(sandbox.auditLines()).toEqual([]);
}

describe("destructive drills are refused unless allowed and confirmed", () => {
  it("exits 2 and touches nothing without --confirm-destroy", async () => {
    using sandbox = drillSandbox();
    const result = await runCli(["drill", "markers", "--config", markerConfig(sandbox)], sandbox.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/confirm with --confirm-destroy local/);
    expectNothingTouched(sandbox);
  });

  it("exits 2 and touches nothing in an environment that does not allow destructive drills, even when confirmed", async () => {
    using sandbox = drillSandbox();
    const result = await runCli(["drill", "markers", "--env", "staging", "--confirm-destroy", "staging", "--config", markerConfig(sandbox)], sandbox.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/environment 'staging' does not allow destructive drills/);
    expectNothingTouched(sandbox);
  });

  it("exits 2 when --confirm-destroy names another environment", async () => {
    using sandbox = drillSandbox();
    const result = await runCli(["drill", "markers", "--env", "local", "--confirm-destroy", "staging", "--config", markerConfig(sandbox)], sandbox.env);
    expect(result.code).toBe(2);
    expectNothingTouched(sandbox);
  });

  it("refuses the built-in postgres-pitr too, before starting anything", async () => {
    using sandbox = drillSandbox();
    const result = await runCli(["drill", "postgres-pitr"], sandbox.env);
    expect(result.code).toBe(2);
    expectNothingTouched(sandbox);
  });

  it("prints the plan with --dry-run, the destructive step marked, and runs nothing", async () => {
    using sandbox = drillSandbox();
    const result = await runCli(["drill", "markers", "--env", "staging", "--dry-run", "--config", markerConfig(sandbox)], sandbox.env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/disaster \[DESTRUCTIVE\]: run: touch/);
    expect(result.stdout).toMatch(/NOT allowed in this environment/);
    expectNothingTouched(sandbox);
  });

  it("exits 2 for an unknown drill and lists the known ones", async () => {
    using sandbox = drillSandbox();
    const result = await runCli(["drill", "no-such-drill", "--confirm-destroy", "local"], sandbox.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown drill 'no-such-drill' \(known: postgres-pitr\)/);
  });
});
