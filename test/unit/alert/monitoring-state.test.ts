// The local monitoring estate's own files: a state file bulwark did not write is "not running" (never a
// crash), BULWARK_MONITORING_STATE_DIR must be absolute, and `down` removes only what `up` wrote.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ExitError } from "../../../scripts/core/errors.ts";

vi.mock("../../../scripts/local/monitoring/containers.ts", async (original) => ({ ...(await original<object>()), removeServices: async () => 0 }));
const { down, readState, stateDir } = await import("../../../scripts/local/monitoring/index.ts");

const previous = process.env.BULWARK_MONITORING_STATE_DIR;
afterEach(() => {
  if (previous === undefined) delete process.env.BULWARK_MONITORING_STATE_DIR;
  else process.env.BULWARK_MONITORING_STATE_DIR = previous;
});

const validState = { id: "abc", ports: { prometheus: 9090, alertmanager: 9093, webhook: 9099 }, intervals: { scrapeSeconds: 1, evaluationSeconds: 1, groupWaitSeconds: 1, groupIntervalSeconds: 2 }, ruleFiles: ["/x.yml"], startedAt: "2026-01-01T00:00:00Z" };

function stateFolder(state: string): string {
  const dir = mkdtempSync(join(tmpdir(), "bulwark-monitoring-state-"));
  writeFileSync(join(dir, "state.json"), state);
  return dir;
}

describe("monitoring state", () => {
  it("reads the state up wrote", () => {
    expect(readState(stateFolder(JSON.stringify(validState)))).toEqual(validState);
  });

  it.each([
    ["not JSON", "{"],
    ["an array", "[]"],
    ["an empty object", "{}"],
    ["ports as strings", JSON.stringify({ ...validState, ports: { prometheus: "9090", alertmanager: 9093, webhook: 9099 } })],
    ["a port out of range", JSON.stringify({ ...validState, ports: { ...validState.ports, webhook: 70_000 } })],
    ["an interval of zero", JSON.stringify({ ...validState, intervals: { ...validState.intervals, scrapeSeconds: 0 } })],
    ["rule files that are not strings", JSON.stringify({ ...validState, ruleFiles: [1] })],
  ])("a state file that is %s is no estate", (_, text) => {
    expect(readState(stateFolder(text))).toBeUndefined();
  });

  it("BULWARK_MONITORING_STATE_DIR must be absolute; empty means the default", () => {
    process.env.BULWARK_MONITORING_STATE_DIR = "relative/state";
    expect(() => stateDir()).toThrow(ExitError);
    expect(() => stateDir()).toThrow("BULWARK_MONITORING_STATE_DIR=relative/state: must be an absolute path");
    process.env.BULWARK_MONITORING_STATE_DIR = "";
    expect(stateDir()).toMatch(/\.bulwark\/monitoring$/);
  });
});

describe("local down --monitoring", () => {
  function estateFiles(dir: string): void {
    mkdirSync(join(dir, "rules"), { recursive: true });
    mkdirSync(join(dir, "targets"), { recursive: true });
    for (const file of ["state.json", "prometheus.yml", "alertmanager.yml", "state.json.0a1b2c3d.tmp", "rules/0-demo.rules.yml", "targets/demo.json"]) writeFileSync(join(dir, file), "x");
  }

  it("removes the estate's files and its folder", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bulwark-monitoring-down-"));
    estateFiles(dir);
    process.env.BULWARK_MONITORING_STATE_DIR = dir;
    await down({ log: () => undefined });
    expect(existsSync(dir)).toBe(false);
  });

  it("leaves files it did not write, and their folders, where the variable names a folder in use", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bulwark-monitoring-down-"));
    estateFiles(dir);
    writeFileSync(join(dir, "notes.txt"), "mine");
    writeFileSync(join(dir, "rules", "team.yml"), "mine");
    process.env.BULWARK_MONITORING_STATE_DIR = dir;
    await down({ log: () => undefined });
    expect(readdirSync(dir).sort()).toEqual(["notes.txt", "rules"]);
    expect(readdirSync(join(dir, "rules"))).toEqual(["team.yml"]);
  });
});
