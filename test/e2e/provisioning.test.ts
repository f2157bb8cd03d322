// Explicit provisioning (issue 10, acceptance 4 and 5): user commands never install anything and name
// `bulwark setup` when a tool is missing; `bulwark doctor` says what is missing and how to install it.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../support/run-cli.ts";
import { shippedConfigCopy } from "../support/shipped-config.ts";

interface DoctorReport {
  schemaVersion: number;
  ok: boolean;
  capabilities: string[];
  requirements: { requirement: string; neededBy: string; status: "present" | "missing"; detail: string; fix: string }[];
}

let scratch: string;
let marker: string;
/** PATH with apt-get, apt, dpkg and debootstrap replaced by shims that record the call and fail. */
let shimmedPath: string;
/** PostgreSQL binaries, the Docker engine and the load engine all unavailable, building forbidden. */
let nothingInstalled: NodeJS.ProcessEnv;
let config: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "bulwark-provisioning-"));
  marker = join(scratch, "installer-calls.log");
  const shims = join(scratch, "shims");
  mkdirSync(shims);
  for (const name of ["apt-get", "apt", "dpkg", "debootstrap"]) {
    writeFileSync(join(shims, name), `#!/bin/sh\necho "${name} $*" >> '${marker}'\nexit 1\n`);
    chmodSync(join(shims, name), 0o755);
  }
  shimmedPath = [shims, process.env.PATH ?? ""].join(delimiter);
  const emptyPgBinDir = join(scratch, "no-postgres");
  mkdirSync(emptyPgBinDir);
  nothingInstalled = {
    PATH: shimmedPath,
    // findPostgresBinDir looks only here when it is set: an empty folder means no server binaries.
    BULWARK_PG_BINDIR: emptyPgBinDir,
    // The docker CLI honours DOCKER_HOST: no engine answers on a socket that does not exist.
    DOCKER_HOST: `unix://${join(scratch, "no-docker.sock")}`,
    BULWARK_ENGINE: "",
    BULWARK_ENGINE_NO_BUILD: "1",
    BULWARK_CACHE_DIR: join(scratch, "empty-cache"),
    BULWARK_REPORTS_DIR: join(scratch, "reports"),
    BULWARK_AUDIT_LOG: join(scratch, "audit.jsonl"),
  };
  // The shipped postgres-pitr drill runs on the container runner; add one on the process runner, and a
  // suite that runs the container drill as a gate step.
  const shipped = shippedConfigCopy() as Record<string, Record<string, unknown>>;
  delete shipped.$schema;
  shipped.drills = { ...shipped.drills, "pitr-processes": { kind: "postgres-pitr", runner: "process", reference: { rows: 10 } } };
  shipped.suites = { ...shipped.suites, "dr-containers": { description: "the container-runner drill as a gate step", steps: [{ drill: "postgres-pitr" }] } };
  config = join(scratch, "config.json");
  writeFileSync(config, JSON.stringify(shipped, null, 2));
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const installerCalls = (): string => (existsSync(marker) ? readFileSync(marker, "utf8") : "");
const output = (result: CliResult): string => result.stdout + result.stderr;

describe("run, gate and drill with the tools they need missing", () => {
  it.each([
    { what: "run smoke (load engine not built, building forbidden)", args: ["run", "smoke"], fix: "bulwark setup --engine" },
    { what: "gate nightly (load engine not built, building forbidden)", args: ["gate", "nightly"], fix: "bulwark setup --engine" },
    { what: "drill on the process runner (no PostgreSQL binaries)", args: ["drill", "pitr-processes", "--env", "local", "--confirm-destroy", "local"], fix: "bulwark setup --postgres" },
    { what: "drill on the container runner (no Docker engine)", args: ["drill", "postgres-pitr", "--env", "local", "--confirm-destroy", "local"], fix: "bulwark setup --containers" },
    { what: "gate with a container-runner drill step (no Docker engine)", args: ["gate", "dr-containers", "--confirm-destroy", "local"], fix: "bulwark setup --containers" },
  ])("$what: exit 3 naming $fix, no installer called", async ({ args, fix }) => {
    const result = await runCli([...args, "--config", config], nothingInstalled);
    expect(result.code, output(result)).toBe(3);
    expect(result.stderr).toContain(fix);
    expect(installerCalls()).toBe("");
  });
});

describe("bulwark doctor", () => {
  it("exits 0 when what the asked capability needs is present (the load engine built by the e2e set-up)", async () => {
    const result = await runCli(["doctor", "--for", "load", "--json"], { PATH: shimmedPath });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as DoctorReport;
    expect(report).toMatchObject({ schemaVersion: 1, ok: true, capabilities: ["load"] });
    expect(report.requirements.map((row) => [row.requirement, row.status])).toEqual([["load engine", "present"]]);
  });

  it("exits 0 for PostgreSQL binaries wherever BULWARK_PG_BINDIR points at them", async () => {
    const binDir = join(scratch, "fake-postgres");
    mkdirSync(binDir, { recursive: true });
    writeFileSync(join(binDir, "postgres"), "");
    const result = await runCli(["doctor", "--for", "drills"], { PATH: shimmedPath, BULWARK_PG_BINDIR: binDir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/PostgreSQL 15 server binaries\s+process-runner drills\s+present/);
    expect(result.stderr).toContain("all 1 requirements present");
  });

  it("lists a missing load engine with its install command and exits 3", async () => {
    const result = await runCli(["doctor", "--for", "load", "--json"], nothingInstalled);
    expect(result.code, result.stderr).toBe(3);
    const report = JSON.parse(result.stdout) as DoctorReport;
    expect(report.ok).toBe(false);
    expect(report.requirements).toEqual([expect.objectContaining({ requirement: "load engine", status: "missing", fix: "bulwark setup --engine" })]);
  });

  it("lists missing PostgreSQL binaries and a missing Docker engine in the table, with their fixes, and exits 3", async () => {
    const result = await runCli(["doctor"], nothingInstalled);
    expect(result.code, output(result)).toBe(3);
    expect(result.stderr).toMatch(/^PostgreSQL 15 server binaries\s+process-runner drills\s+missing\s+bulwark setup --postgres$/m);
    expect(result.stderr).toMatch(/^Docker engine\s+.*\s+missing\s+bulwark setup --containers$/m);
    expect(result.stderr).toMatch(/^load engine\s+.*\s+missing\s+bulwark setup --engine$/m);
    expect(result.stderr).toContain(`Docker engine: the docker CLI is there but no engine answers at DOCKER_HOST=${nothingInstalled.DOCKER_HOST}`);
    expect(result.stderr).toMatch(/requirements missing; install with: .*bulwark setup --postgres/);
    expect(installerCalls()).toBe("");
  });

  it("refuses an unknown capability: exit 2", async () => {
    const result = await runCli(["doctor", "--for", "teleport"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("doctor: unknown capability 'teleport' (known: load, drills, containers, cluster, reports, bench)");
  });
});

describe("bulwark setup", () => {
  it("is the command that calls apt-get: --postgres with no binaries goes to apt (here a failing shim) and exits 3", async () => {
    const result = await runCli(["setup", "--postgres"], nothingInstalled);
    expect(result.code, output(result)).toBe(3);
    if (process.getuid?.() === 0) {
      expect(installerCalls()).toMatch(/^apt-get .*install -y --no-install-recommends postgresql-15$/m);
    } else {
      expect(result.stderr).toContain("installing postgresql-15 needs root (apt-get install)");
      expect(installerCalls()).toBe("");
    }
    rmSync(marker, { force: true });
  });

  it("does nothing for a part that is already there: --engine with the built engine exits 0", async () => {
    const result = await runCli(["setup", "--engine"], { PATH: shimmedPath });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain("building the load engine");
    expect(result.stderr).toContain("all 1 requirements present");
    expect(installerCalls()).toBe("");
  });
});
