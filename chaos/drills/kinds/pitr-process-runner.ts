import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, openSync, closeSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exec, tail } from "../../../scripts/core/exec.ts";
import { durationMs, type PostgresPitrDrill } from "../definition.ts";
import type { KindPlan, KindRunner, RunnerContext } from "../kind-runner.ts";
import { queryOnce } from "../sql.ts";
import { waitFor } from "../../../scripts/core/wait-for.ts";
import type { StepOutput } from "../steps.ts";
import { ensurePostgresBinaries, type PostgresBinaries } from "./postgres-binaries.ts";
import { killProcessTree } from "./process-tree.ts";
import { archiveCommandFor, countFiles, recoveryLines, restoreCommandFor, runBeforeRestore } from "./pitr-common.ts";
import { freeLoopbackPort } from "../../../scripts/core/free-port.ts";

const user = "bulwark";

/**
 * postgres-pitr with PostgreSQL 15 as local processes on 127.0.0.1: a primary archiving its WAL, a base
 * backup, then a new instance restored from both on the same port (as a failover address would).
 */
export class PitrProcessRunner implements KindRunner {
  readonly paths: Record<string, string>;
  #binaries: PostgresBinaries | null = null;
  #port = 0;
  #server: { child: ChildProcess; exited: Promise<number | null>; log: string } | null = null;

  constructor(
    private readonly definition: PostgresPitrDrill,
    private readonly context: RunnerContext,
  ) {
    const work = context.workDir;
    this.paths = {
      primary: join(work, "primary"),
      archive: join(work, "wal-archive"),
      baseBackup: join(work, "base-backup"),
      restored: join(work, "restored"),
      sockets: join(work, "sockets"),
    };
  }

  readonly sqlEndpoint = (): string | null => (this.#port === 0 ? null : `postgres://${user}@127.0.0.1:${this.#port}/postgres`);

  plan(): KindPlan {
    return {
      where: `PostgreSQL 15 processes on 127.0.0.1${this.#port ? `:${this.#port}` : ""} (work folder ${this.context.workDir})`,
      setup: [
        "initialise a primary with WAL archiving into a local archive folder",
        `archive_timeout ${this.definition.archiveTimeout}`,
      ],
      backup: "take a base backup with pg_basebackup (WAL streamed, fast checkpoint)",
      disaster: "kill the primary with SIGKILL and delete its data directory, WAL included",
      restore: `${this.definition.beforeRestore ? "run the beforeRestore command, then " : ""}copy the base backup into a new data directory and start PostgreSQL with recovery.signal, restore_command from the archive and recovery_target_timeline latest; wait until it leaves recovery`,
      teardown: ["stop PostgreSQL", "delete the work folder"],
    };
  }

  async setup(output: StepOutput): Promise<void> {
    this.#binaries = await ensurePostgresBinaries(this.context.log);
    mkdirSync(this.context.workDir, { recursive: true });
    for (const path of [this.paths.archive!, this.paths.sockets!]) mkdirSync(path, { recursive: true });
    this.#giveToServerUser(this.context.workDir);
    this.#port = await freeLoopbackPort();
    const init = await this.#run("initdb", ["-D", this.paths.primary!, "-U", user, "--auth=trust", "--wal-segsize=1", "--encoding=UTF8", "--locale=C", "--no-sync"]);
    output.append(`initdb: ${init.code === 0 ? "ok" : "failed"}`);
    if (init.code !== 0) throw new Error(`initdb failed:\n${tail(init.stderr || init.stdout)}`);
    await this.#start(this.paths.primary!, "primary", output, { archiveOnly: true });
  }

  async backup(output: StepOutput): Promise<void> {
    const result = await this.#run("pg_basebackup", ["-h", "127.0.0.1", "-p", String(this.#port), "-U", user, "-D", this.paths.baseBackup!, "-X", "stream", "-c", "fast", "--no-password"]);
    output.append(tail(result.stderr || result.stdout));
    if (result.code !== 0) throw new Error(`pg_basebackup exited with ${result.code}`);
    output.append(`base backup: ${countFiles(this.paths.baseBackup!)} files in ${this.paths.baseBackup}`);
  }

  async disaster(output: StepOutput): Promise<void> {
    const server = this.#server;
    if (server?.child.pid) {
      const killed = await killProcessTree(server.child.pid);
      await server.exited;
      output.append(`killed the primary with SIGKILL: postmaster pid ${server.child.pid} and ${killed.length - 1} child processes`);
    }
    this.#server = null;
    const files = countFiles(this.paths.primary!);
    rmSync(this.paths.primary!, { recursive: true, force: true });
    output.append(`deleted the primary's data directory and WAL (${files} files)`);
  }

  async restore(output: StepOutput, signal: AbortSignal): Promise<void> {
    if (this.definition.beforeRestore) await runBeforeRestore(this.definition.beforeRestore, { baseBackup: this.paths.baseBackup!, archive: this.paths.archive! }, output, signal);
    if (!existsSync(join(this.paths.baseBackup!, "PG_VERSION"))) throw new Error(`no usable base backup in ${this.paths.baseBackup} (PG_VERSION missing)`);
    const copy = await exec("cp", ["-a", this.paths.baseBackup!, this.paths.restored!]);
    if (copy.code !== 0) throw new Error(`copying the base backup failed: ${tail(copy.stderr)}`);
    chmodSync(this.paths.restored!, 0o700);
    writeFileSync(join(this.paths.restored!, "recovery.signal"), "");
    this.#giveToServerUser(this.paths.restored!);
    output.append(`copied the base backup into ${this.paths.restored} and wrote recovery.signal`);
    await this.#start(this.paths.restored!, "restored", output, { recovery: true, signal });
    output.append(`restored instance promoted; ${archivedSegments(this.paths.archive!)} WAL files in the archive`);
  }

  async versions(): Promise<Record<string, string>> {
    const versions: Record<string, string> = { "postgres runner": "process" };
    if (!this.#binaries) return versions;
    for (const tool of ["postgres", "pg_basebackup"]) {
      const result = await exec(join(this.#binaries.binDir, tool), ["--version"]).catch(() => null);
      if (result?.code === 0) versions[tool] = result.stdout.trim();
    }
    return versions;
  }

  async teardown(output: StepOutput): Promise<void> {
    const server = this.#server;
    if (server?.child.pid && server.child.exitCode === null) {
      // Its data is deleted next, so a clean shutdown (a checkpoint) would be wasted time.
      await killProcessTree(server.child.pid);
      await server.exited;
      output.append(`stopped PostgreSQL (pid ${server.child.pid})`);
    }
    this.#server = null;
    rmSync(this.context.workDir, { recursive: true, force: true });
    output.append(`deleted ${this.context.workDir}`);
  }

  async #start(dataDir: string, role: string, output: StepOutput, options: { archiveOnly?: boolean; recovery?: boolean; signal?: AbortSignal }): Promise<void> {
    const binaries = this.#requireBinaries();
    const logPath = join(this.context.workDir, `${role}.log`);
    const settings: Record<string, string> = {
      port: String(this.#port),
      listen_addresses: "127.0.0.1",
      unix_socket_directories: this.paths.sockets!,
      wal_level: "replica",
      archive_mode: "on",
      archive_command: archiveCommandFor(this.definition, this.paths.archive!),
      archive_timeout: String(Math.max(1, Math.round(durationMs(this.definition.archiveTimeout) / 1000))),
      ...(options.recovery ? { restore_command: restoreCommandFor(this.paths.archive!), recovery_target_timeline: "latest" } : {}),
    };
    const logFd = openSync(logPath, "a");
    const child = spawn(join(binaries.binDir, "postgres"), ["-D", dataDir, ...Object.entries(settings).flatMap(([name, value]) => ["-c", `${name}=${value}`])], {
      detached: true,
      stdio: ["ignore", logFd, logFd],
      ...(binaries.runAs ? { uid: binaries.runAs.uid, gid: binaries.runAs.gid } : {}),
    });
    closeSync(logFd);
    const exited = new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      child.once("exit", (code) => resolve(code));
      child.once("error", () => resolve(-1));
    });
    this.#server = { child, exited, log: logPath };
    let exitCode: number | null | undefined;
    void exited.then((code) => (exitCode = code));
    const url = this.sqlEndpoint()!;
    const startupTimeoutMs = 120_000;
    const outcome = await waitFor(
      async () => {
        if (exitCode !== undefined) return "exited" as const;
        const rows = await queryOnce<{ primary: boolean }>(url, "SELECT NOT pg_is_in_recovery() AS primary", [], 2000);
        return rows[0]?.primary ? ("up" as const) : undefined;
      },
      { timeoutMs: startupTimeoutMs, intervalMs: 100, ...(options.signal ? { signal: options.signal } : {}), description: `PostgreSQL (${role}) to accept connections` },
    ).catch(() => (options.signal?.aborted ? ("aborted" as const) : ("timed out" as const)));
    if (outcome !== "up") {
      output.append(tail(readLog(logPath), 30));
      if (outcome === "exited") throw new Error(`PostgreSQL (${role}) exited with code ${exitCode} while starting`);
      throw new Error(outcome === "aborted" ? `PostgreSQL (${role}) did not come up in time` : `PostgreSQL (${role}) did not accept connections within ${startupTimeoutMs / 1000} s`);
    }
    output.append(`PostgreSQL (${role}) running on 127.0.0.1:${this.#port}, pid ${child.pid}`);
    if (options.recovery) output.append(recoveryLines(readLog(logPath)));
  }

  #requireBinaries(): PostgresBinaries {
    if (!this.#binaries) throw new Error("PostgreSQL binaries not resolved (setup did not run)");
    return this.#binaries;
  }

  #run(tool: string, args: string[]) {
    const binaries = this.#requireBinaries();
    return exec(join(binaries.binDir, tool), args, { cwd: this.context.workDir, ...(binaries.runAs ? { uid: binaries.runAs.uid, gid: binaries.runAs.gid } : {}) });
  }

  #giveToServerUser(path: string): void {
    const runAs = this.#binaries?.runAs;
    if (!runAs) return;
    const walk = (current: string) => {
      chownSync(current, runAs.uid, runAs.gid);
      for (const entry of readdirSync(current, { withFileTypes: true })) {
        const child = join(current, entry.name);
        if (entry.isDirectory()) walk(child);
        else chownSync(child, runAs.uid, runAs.gid);
      }
    };
    walk(path);
  }
}

function readLog(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function archivedSegments(path: string): number {
  return existsSync(path) ? readdirSync(path).filter((name) => /^[0-9A-F]{24}$/.test(name)).length : 0;
}
