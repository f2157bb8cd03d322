import { existsSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { WaitStrategy } from "testcontainers";
import { exec, tail } from "../../../scripts/core/exec.ts";
import { postgresPaths, type PostgresContainers, type StartedPostgres } from "../../../scripts/core/postgres-container.ts";
import { durationMs, type PostgresPitrDrill } from "../definition.ts";
import type { KindPlan, KindRunner, RunnerContext } from "../kind-runner.ts";
import { queryOnce } from "../sql.ts";
import { waitFor } from "../../../scripts/core/wait-for.ts";
import type { StepOutput } from "../steps.ts";
import { archiveCommandFor, countFiles, recoveryLines, restoreCommandFor, runBeforeRestore } from "./pitr-common.ts";

/** Where the base backup is written inside the primary: the archive mount, so the host can take it out. */
const backupInArchive = ".base-backup";

/**
 * postgres-pitr on the container estate: the primary is a PostgreSQL 15 container archiving WAL into a
 * host folder; the disaster removes the container with its data; the restore starts a new container on
 * a data folder holding the base backup, replaying the archive.
 */
export class PitrContainerRunner implements KindRunner {
  readonly paths: Record<string, string>;
  #server: StartedPostgres | null = null;
  #endpoint: string | null = null;
  #serverVersion: string | null = null;

  constructor(
    private readonly definition: PostgresPitrDrill,
    private readonly context: RunnerContext,
  ) {
    const work = context.workDir;
    this.paths = { archive: join(work, "wal-archive"), baseBackup: join(work, "base-backup"), restored: join(work, "restored") };
  }

  readonly sqlEndpoint = (): string | null => this.#endpoint;

  plan(): KindPlan {
    return {
      where: `PostgreSQL 15 containers (${this.#containers().imageReference()}) on 127.0.0.1${this.#server ? `:${this.#server.port}` : ""}`,
      setup: ["make sure the container engine and the PostgreSQL image are there", `start a primary container archiving WAL into a host folder (archive_timeout ${this.definition.archiveTimeout})`],
      backup: "take a base backup with pg_basebackup inside the primary (WAL streamed, fast checkpoint)",
      disaster: "kill and remove the primary container together with its data directory",
      restore: `${this.definition.beforeRestore ? "run the beforeRestore command, then " : ""}start a new container on a copy of the base backup with recovery.signal, restore_command from the archive and recovery_target_timeline latest; wait until it leaves recovery`,
      teardown: ["remove the container", "delete the work folder"],
    };
  }

  async setup(output: StepOutput): Promise<void> {
    await this.#containers().ready(this.context.log);
    this.#server = await this.#containers().start({ archiveDir: this.paths.archive!, archiveCommand: archiveCommandFor(this.definition, postgresPaths.archive), settings: this.#settings() });
    this.#endpoint = this.#server.connectionString;
    const [row] = await queryOnce<{ version: string }>(this.#endpoint, "SELECT version()");
    this.#serverVersion = row?.version ?? null;
    output.append(`primary container ${this.#server.container.getId().slice(0, 12)} on 127.0.0.1:${this.#server.port}`);
  }

  async backup(output: StepOutput): Promise<void> {
    const server = this.#requireServer();
    const result = await server.container.exec(
      ["pg_basebackup", "-h", "127.0.0.1", "-U", server.user, "-D", `${postgresPaths.archive}/${backupInArchive}`, "-X", "stream", "-c", "fast", "--no-password"],
      { env: { PGPASSWORD: server.password } },
    );
    output.append(tail(result.output));
    if (result.exitCode !== 0) throw new Error(`pg_basebackup exited with ${result.exitCode}`);
    renameSync(join(this.paths.archive!, backupInArchive), this.paths.baseBackup!);
    output.append(`base backup: ${countFiles(this.paths.baseBackup!)} files in ${this.paths.baseBackup}`);
  }

  async disaster(output: StepOutput): Promise<void> {
    const server = this.#requireServer();
    const id = server.container.getId();
    // SIGKILL, not `docker stop`: PostgreSQL must get no chance to shut down cleanly.
    const kill = await exec("docker", ["kill", "--signal", "KILL", id]);
    if (kill.code !== 0) throw new Error(`docker kill failed: ${tail(kill.stderr)}`);
    await server.stop({ timeoutSeconds: 0 });
    this.#server = null;
    output.append(`killed the primary container ${id.slice(0, 12)} with SIGKILL and removed it with its data directory`);
  }

  async restore(output: StepOutput, signal: AbortSignal): Promise<void> {
    if (this.definition.beforeRestore) await runBeforeRestore(this.definition.beforeRestore, { baseBackup: this.paths.baseBackup!, archive: this.paths.archive! }, output, signal);
    if (!existsSync(join(this.paths.baseBackup!, "PG_VERSION"))) throw new Error(`no usable base backup in ${this.paths.baseBackup} (PG_VERSION missing)`);
    const copy = await exec("cp", ["-a", this.paths.baseBackup!, this.paths.restored!]);
    if (copy.code !== 0) throw new Error(`copying the base backup failed: ${tail(copy.stderr)}`);
    writeFileSync(join(this.paths.restored!, "recovery.signal"), "");
    output.append(`copied the base backup into ${this.paths.restored} and wrote recovery.signal`);
    const waitStrategy = new ServerUpOrExited(output);
    this.#server = await this.#containers().start({
      dataDir: this.paths.restored!,
      archiveDir: this.paths.archive!,
      archiveCommand: archiveCommandFor(this.definition, postgresPaths.archive),
      settings: { ...this.#settings(), restore_command: restoreCommandFor(postgresPaths.archive), recovery_target_timeline: "latest" },
      waitStrategy,
      startupTimeoutMs: durationMs(this.definition.restoreTimeout),
    });
    this.#endpoint = this.#server.connectionString;
    const endpoint = this.#endpoint;
    await waitFor(
      async () => (await queryOnce<{ primary: boolean }>(endpoint, "SELECT NOT pg_is_in_recovery() AS primary", [], 2000))[0]?.primary === true,
      { timeoutMs: durationMs(this.definition.restoreTimeout), intervalMs: 100, signal, description: "the restored container to leave recovery" },
    ).catch(() => {
      throw new Error("the restored container did not leave recovery in time");
    });
    const logs = await exec("docker", ["logs", this.#server.container.getId()]);
    output.append(recoveryLines(logs.stdout + logs.stderr));
    output.append(`restored container ${this.#server.container.getId().slice(0, 12)} promoted on 127.0.0.1:${this.#server.port}`);
  }

  async versions(): Promise<Record<string, string>> {
    const versions: Record<string, string> = { "postgres runner": "container", "postgres image": this.#containers().imageReference() };
    const docker = await exec("docker", ["version", "--format", "{{.Server.Version}}"]).catch(() => null);
    if (docker?.code === 0) versions.docker = docker.stdout.trim();
    if (this.#serverVersion) versions.postgres = this.#serverVersion;
    return versions;
  }

  async teardown(output: StepOutput): Promise<void> {
    if (this.#server) {
      const id = this.#server.container.getId().slice(0, 12);
      await this.#server.stop({ timeoutSeconds: 0 });
      this.#server = null;
      output.append(`removed container ${id}`);
    }
    this.#endpoint = null;
    rmSync(this.context.workDir, { recursive: true, force: true });
    output.append(`deleted ${this.context.workDir}`);
  }

  #settings(): Record<string, string> {
    return { archive_timeout: String(Math.max(1, Math.round(durationMs(this.definition.archiveTimeout) / 1000))) };
  }

  #containers(): PostgresContainers {
    if (!this.context.postgresContainers) throw new Error("the container runner needs PostgreSQL containers from the local estate");
    return this.context.postgresContainers;
  }

  #requireServer(): StartedPostgres {
    if (!this.#server) throw new Error("the PostgreSQL container is not running");
    return this.#server;
  }
}

/**
 * Ready when pg_isready answers; failed at once, with the server's log in the step output, when the
 * container exits (testcontainers removes a container that failed to start, logs included).
 */
class ServerUpOrExited implements WaitStrategy {
  #timeoutMs = 120_000;
  #timeoutSet = false;

  constructor(private readonly output: StepOutput) {}

  async waitUntilReady(container: { id: string }): Promise<void> {
    const outcome = await waitFor(
      async () => {
        const state = await exec("docker", ["inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", container.id]);
        const [status, exitCode] = state.stdout.trim().split(" ");
        if (status === "exited" || status === "dead") return { exitCode };
        const ready = await exec("docker", ["exec", container.id, "pg_isready", "-h", "127.0.0.1", "-p", "5432"]);
        return ready.code === 0 ? { exitCode: null } : undefined;
      },
      { timeoutMs: this.#timeoutMs, intervalMs: 200, description: "PostgreSQL (restored) to accept connections" },
    ).catch(() => {
      throw new Error(`PostgreSQL (restored) not ready within ${Math.round(this.#timeoutMs / 1000)} s`);
    });
    if (outcome.exitCode !== null) {
      const logs = await exec("docker", ["logs", "--tail", "40", container.id]);
      this.output.append(tail(logs.stdout + logs.stderr, 40));
      throw new Error(`PostgreSQL (restored) exited with code ${outcome.exitCode} while starting`);
    }
  }

  withStartupTimeout(startupTimeoutMs: number): this {
    this.#timeoutMs = startupTimeoutMs;
    this.#timeoutSet = true;
    return this;
  }

  isStartupTimeoutSet(): boolean {
    return this.#timeoutSet;
  }

  getStartupTimeout(): number {
    return this.#timeoutMs;
  }
}
