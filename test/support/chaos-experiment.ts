// A throwaway user project for chaos experiments: a config in a temp folder (the demo shop's endpoints,
// a short chaos profile, an environment aimed at the local cluster and the demo target), experiments
// inline or as files, its own reports folder and audit log, and readers for what a run wrote.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { summarySchema, type RunSummary } from "../../reports/summary-schema.ts";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { runCli, startCli, type CliResult, type CliRun } from "./run-cli.ts";

const repoConfig = JSON.parse(readFileSync(repoPath("bulwark.config.json"), "utf8")) as { endpoints: unknown[] };

export interface ChaosProjectOptions {
  /** Namespaces chaos may touch in the `local` environment. */
  chaosNamespaces: string[];
  experiments?: Record<string, unknown>;
  /** <name>.json files in the project's experiments/ folder. */
  experimentFiles?: Record<string, unknown>;
  /** Merged into the `local` environment. */
  environment?: Record<string, unknown>;
  /** More environments. */
  environments?: Record<string, unknown>;
  /** Length of the `chaos-test` profile (5 iterations/s of the smoke scenario; `chaos-short` lasts 6 s). */
  loadDuration?: string;
}

export interface ChaosProject {
  dir: string;
  config: string;
  reports: string;
  auditLog: string;
  run(args: string[]): Promise<CliResult>;
  start(args: string[]): CliRun;
  /** The one run directory of a finished run (the newest when there are several). */
  lastRunDirectory(): string;
  summary(): RunSummary;
  auditLines(): Record<string, string>[];
  journal(step: string): { at: string; event: string; detail: string; data?: Record<string, unknown> }[];
}

export function chaosProject(options: ChaosProjectOptions): ChaosProject {
  const dir = mkdtempSync(join(tmpdir(), "bulwark-chaos-"));
  const reports = join(dir, "reports");
  const auditLog = join(dir, "audit.jsonl");
  const config = join(dir, "bulwark.config.json");
  writeFileSync(
    config,
    JSON.stringify(
      {
        endpoints: repoConfig.endpoints,
        profiles: {
          "chaos-test": { executor: "constant-arrival-rate", ratePerSecond: 5, duration: options.loadDuration ?? "12s", preAllocatedVUs: 5, maxVUs: 20 },
          "chaos-short": { executor: "constant-arrival-rate", ratePerSecond: 5, duration: "6s", preAllocatedVUs: 5, maxVUs: 20 },
        },
        suites: { "chaos-suite": { steps: [{ scenario: "smoke" }] } },
        environments: {
          local: { demo: true, allowChaos: true, kubernetes: { local: true, chaosNamespaces: options.chaosNamespaces }, ...options.environment },
          ...options.environments,
        },
        defaultEnvironment: "local",
        experiments: options.experiments ?? {},
      },
      null,
      2,
    ),
  );
  if (options.experimentFiles) {
    mkdirSync(join(dir, "experiments"));
    for (const [name, experiment] of Object.entries(options.experimentFiles)) writeFileSync(join(dir, "experiments", `${name}.json`), JSON.stringify(experiment, null, 2));
  }
  const env = { BULWARK_AUDIT_LOG: auditLog, BULWARK_CONFIG: "", BULWARK_ENV: "" };
  const withConfig = (args: string[]) => [...args, "--config", config, ...(["list", "sweep"].includes(args[1] ?? "") || args.includes("--dry-run") ? [] : ["--out", reports])];
  const project: ChaosProject = {
    dir,
    config,
    reports,
    auditLog,
    run: (args) => runCli(withConfig(args), env),
    start: (args) => startCli(withConfig(args), env),
    lastRunDirectory() {
      const runs = existsSync(reports) ? readdirSync(reports).filter((entry) => /^\d/.test(entry)).sort() : [];
      expect(runs.length, `run directories in ${reports}`).toBeGreaterThan(0);
      return join(reports, runs.at(-1)!);
    },
    summary: () => summarySchema.parse(JSON.parse(readFileSync(join(project.lastRunDirectory(), "summary.json"), "utf8"))),
    auditLines: () => (existsSync(auditLog) ? readFileSync(auditLog, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, string>) : []),
    journal: (step) =>
      readFileSync(join(project.lastRunDirectory(), `${step}.journal.jsonl`), "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { at: string; event: string; detail: string }),
  };
  return project;
}

/** A short experiment on the pods `app=<app>` of `namespace`: the smoke scenario at 5/s, one fault. */
export function experiment(namespace: string, app: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: `test experiment on ${namespace}/${app}`,
    target: { namespace, selector: { app }, deployment: app },
    load: { scenario: "smoke", profile: "chaos-test" },
    hypothesis: { interval: "500ms", probes: [{ type: "http", name: "api-answers", path: "/api/items", tolerance: { status: 200 } }] },
    method: { before: "2s", faults: [{ name: "kill-one", duration: "4s", fault: { kind: "PodChaos", action: "pod-kill" } }], after: "2s" },
    expectations: { phases: [], recoveryTime: "20s" },
    injectionDeadline: "15s",
    ...overrides,
  };
}

export const checkNamed = (summary: RunSummary, name: string) => {
  const check = summary.steps[0]?.checks.find((candidate) => candidate.name === name);
  expect(check, `check '${name}' among ${summary.steps[0]?.checks.map((candidate) => candidate.name).join(", ")}`).toBeDefined();
  return check!;
};
