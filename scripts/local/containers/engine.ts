import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { cacheDir } from "../../core/cache-dir.ts";
import { ToolingError } from "../../core/errors.ts";
import { exec, tail } from "../../core/exec.ts";
import { aptInstall } from "../../setup/apt-install.ts";
import { isProcessAlive, withLock } from "../../core/process-lock.ts";
import { cameWithin, waitForOrThrow } from "../../core/wait-for.ts";

export interface EngineInfo {
  serverVersion: string;
  apiVersion: string;
  storageDriver: string;
}

/** Where bulwark keeps the engine's log and the pid of a dockerd it started itself. */
export const engineLogFile = (): string => cacheDir("engine", "dockerd.log");
const startedPidFile = (): string => cacheDir("engine", "dockerd.started-by-bulwark.pid");

/** Asks the engine (through the docker CLI, so DOCKER_HOST and contexts are honoured) who it is. */
export async function engineInfo(host?: string): Promise<EngineInfo | undefined> {
  const hostArgs = host ? ["-H", host] : [];
  const result = await exec("docker", [...hostArgs, "info", "--format", "{{json .}}"], { timeout: 15_000 }).catch(() => undefined);
  if (!result || result.code !== 0) return undefined;
  try {
    const info = JSON.parse(result.stdout) as { ServerVersion?: string; Driver?: string; ServerErrors?: string[] };
    if (!info.ServerVersion) return undefined;
    const version = await exec("docker", [...hostArgs, "version", "--format", "{{.Server.APIVersion}}"], { timeout: 15_000 });
    return { serverVersion: info.ServerVersion, apiVersion: version.stdout.trim(), storageDriver: info.Driver ?? "unknown" };
  } catch {
    return undefined;
  }
}

/** Finds an executable on PATH or in the sbin folders that a non-login root shell may lack. */
export function findExecutable(name: string): string | undefined {
  const folders = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/bin", "/sbin", "/bin"];
  return folders.filter(Boolean).map((folder) => join(folder, name)).find((path) => existsSync(path));
}

/**
 * Makes sure an engine answers: nothing is touched when one already does; otherwise Debian's docker.io is
 * installed if dockerd is missing, and dockerd is started detached. Returns the steps taken, for the report.
 */
export async function ensureEngine(log: (line: string) => void): Promise<{ info: EngineInfo; actions: string[] }> {
  const running = await engineInfo();
  if (running) return { info: running, actions: [] };
  const probe = await exec("docker", ["info"], { timeout: 15_000 }).catch(() => undefined);
  if (probe && /permission denied/i.test(probe.stderr)) {
    throw new ToolingError(`container engine: no access to the Docker socket (run as root or join the 'docker' group)\n${tail(probe.stderr, 3)}`);
  }
  return withLock(cacheDir("engine", "start.lock"), { timeoutMs: 300_000 }, async () => {
    const actions: string[] = [];
    const again = await engineInfo();
    if (again) return { info: again, actions };
    if (!findExecutable("dockerd") || !findExecutable("docker")) {
      log("container engine: dockerd not found, installing Debian's docker.io");
      await installDockerIo();
      actions.push("installed docker.io");
      const afterInstall = await engineInfo();
      if (afterInstall) return { info: afterInstall, actions };
    }
    log(`container engine: starting dockerd (log: ${engineLogFile()})`);
    const pid = await startDockerd({ logFile: engineLogFile(), args: dockerdFlagsFromEnvironment() });
    writeFileSync(startedPidFile(), String(pid));
    actions.push(`started dockerd (pid ${pid})`);
    const info = await engineInfo();
    if (!info) throw new ToolingError(`container engine: dockerd started but 'docker info' does not answer\n${tail(readLog(engineLogFile()))}`);
    return { info, actions };
  });
}

/** BULWARK_DOCKERD_FLAGS: extra flags for a dockerd that bulwark starts (e.g. `--storage-driver=vfs`). */
export function dockerdFlagsFromEnvironment(): string[] {
  return (process.env.BULWARK_DOCKERD_FLAGS ?? "").split(/\s+/).filter(Boolean);
}

async function installDockerIo(): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new ToolingError("container engine: Docker is not installed and installing it needs root (apt-get install docker.io)");
  }
  await aptInstall("container engine", ["docker.io"]);
}

export interface StartDockerdOptions {
  /** dockerd's stdout and stderr go here (appended). */
  logFile: string;
  /** Extra dockerd flags; tests use them to run a throw-away daemon in a temporary folder. */
  args?: string[];
  /** The daemon's API address, when `args` moves it (`-H unix://...`). */
  host?: string;
  /** How long to wait for the API to answer. */
  deadlineMs?: number;
}

/**
 * Starts dockerd detached (it outlives bulwark) and waits until its API answers. If dockerd exits or the
 * deadline passes, throws a ToolingError (exit 3) quoting the tail of its log. Returns dockerd's pid.
 */
export async function startDockerd(options: StartDockerdOptions): Promise<number> {
  const dockerd = findExecutable("dockerd");
  if (!dockerd) throw new ToolingError("container engine: dockerd not found");
  mkdirSync(dirname(options.logFile), { recursive: true });
  const logStart = existsSync(options.logFile) ? readFileSync(options.logFile).length : 0;
  const logFd = openSync(options.logFile, "a");
  const child = spawn(dockerd, options.args ?? [], { detached: true, stdio: ["ignore", logFd, logFd] });
  closeSync(logFd);
  let exit: string | undefined;
  child.on("exit", (code, signal) => (exit = signal ? `signal ${signal}` : `exit code ${code}`));
  child.on("error", (error) => (exit = error.message));
  child.unref();
  const deadlineMs = options.deadlineMs ?? 60_000;
  const logTail = () => tail(readLog(options.logFile).slice(logStart), 15);
  await waitForOrThrow(
    async () => {
      if (exit) throw new ToolingError(`container engine: dockerd stopped (${exit}) before answering; last lines of ${options.logFile}:\n${logTail()}`);
      return engineInfo(options.host);
    },
    { timeoutMs: deadlineMs, intervalMs: 300, description: "dockerd to answer" },
    () => {
      child.kill("SIGTERM");
      return new ToolingError(`container engine: dockerd did not answer within ${Math.round(deadlineMs / 1000)}s; last lines of ${options.logFile}:\n${logTail()}`);
    },
  );
  return child.pid ?? 0;
}

/** Stops dockerd only if bulwark started it; an engine the user runs is left alone. */
export async function stopEngineIfStartedByBulwark(log: (line: string) => void): Promise<boolean> {
  const pidFile = startedPidFile();
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid)) return false;
  log(`container engine: stopping dockerd (pid ${pid}) started by bulwark`);
  process.kill(pid, "SIGTERM");
  const stopped = await cameWithin(() => !isProcessAlive(pid), { timeoutMs: 30_000, intervalMs: 200, description: `dockerd (pid ${pid}) to stop` });
  if (!stopped) throw new ToolingError(`container engine: dockerd (pid ${pid}) did not stop within 30s`);
  return true;
}

function readLog(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "(no log)";
  }
}
