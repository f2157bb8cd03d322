// What drill tests share: a config file with extra drills, isolated reports and audit log, and readers
// for the evidence a drill run leaves behind.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoPath } from "../../scripts/core/repo-root.ts";
import type { DrillEvidence } from "../../chaos/drills/evidence.ts";

export interface DrillSandbox extends Disposable {
  root: string;
  reportsRoot: string;
  auditLog: string;
  /** Environment for the CLI: reports and audit log inside the sandbox. */
  env: NodeJS.ProcessEnv;
  /** Writes a config: the embedded one plus `changes` (top-level keys merged one level deep). */
  writeConfig(changes: Record<string, Record<string, unknown>>): string;
  runDirectories(): string[];
  /** Folders holding a drill's evidence (drill.json): a run directory itself (startDrill) or a folder inside one (`bulwark drill`, gates). */
  evidenceDirectories(): string[];
  readEvidence(runDirectory: string): DrillEvidence;
  auditLines(): Record<string, string>[];
}

export function drillSandbox(): DrillSandbox {
  const root = mkdtempSync(join(tmpdir(), "bulwark-drill-test-"));
  const reportsRoot = join(root, "reports");
  const auditLog = join(root, "audit.jsonl");
  return {
    root,
    reportsRoot,
    auditLog,
    env: { BULWARK_REPORTS_DIR: reportsRoot, BULWARK_AUDIT_LOG: auditLog },
    writeConfig(changes) {
      const config = JSON.parse(readFileSync(repoPath("bulwark.config.json"), "utf8")) as Record<string, Record<string, unknown>>;
      for (const [key, value] of Object.entries(changes)) config[key] = { ...config[key], ...value };
      delete config.$schema;
      const path = join(root, `config-${Object.keys(changes).join("-")}-${readdirSync(root).length}.json`);
      writeFileSync(path, JSON.stringify(config, null, 2));
      return path;
    },
    runDirectories() {
      return existsSync(reportsRoot) ? readdirSync(reportsRoot).filter((name) => name.includes("-drill-")).map((name) => join(reportsRoot, name)) : [];
    },
    evidenceDirectories() {
      const hasEvidence = (folder: string) => existsSync(join(folder, "drill.json"));
      const runs = existsSync(reportsRoot) ? readdirSync(reportsRoot, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => join(reportsRoot, entry.name)) : [];
      return runs.flatMap((run) => (hasEvidence(run) ? [run] : readdirSync(run, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => join(run, entry.name)).filter(hasEvidence)));
    },
    readEvidence(runDirectory) {
      return JSON.parse(readFileSync(join(runDirectory, "drill.json"), "utf8")) as DrillEvidence;
    },
    [Symbol.dispose]() {
      rmSync(root, { recursive: true, force: true });
    },
    auditLines() {
      return existsSync(auditLog) ? readFileSync(auditLog, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, string>) : [];
    },
  };
}
