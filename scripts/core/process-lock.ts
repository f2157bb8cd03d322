// Cross-process coordination: so that two `up` calls, or two test runs, never start or build the same
// thing at once. A lock left by a dead process is taken over.
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ToolingError } from "./errors.ts";
import { waitForOrThrow } from "./wait-for.ts";

/**
 * True while the process exists and is not a zombie (an exited child nobody has reaped yet). A process
 * whose main thread is a zombie can still have threads holding its sockets, so every thread counts.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return false;
  }
  return threads.some((thread) => {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${thread}/stat`, "utf8");
      const state = stat.charAt(stat.lastIndexOf(")") + 2);
      return state !== "Z" && state !== "X";
    } catch {
      return false;
    }
  });
}

export interface LockOptions {
  timeoutMs: number;
  /** Called once when another process holds the lock and this one starts waiting. */
  onWait?: (holderPid: number | undefined) => void;
}

/** Runs `body` while holding the lock at `lockPath` (a directory: mkdir is atomic). */
export async function withLock<T>(lockPath: string, options: LockOptions, body: () => Promise<T>): Promise<T> {
  await mkdir(dirname(lockPath), { recursive: true });
  let announced = false;
  let holderPid: number | undefined;
  const takeLock = async (): Promise<boolean> => {
    try {
      await mkdir(lockPath);
      await writeFile(join(lockPath, "pid"), String(process.pid));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw new ToolingError(`cannot take the lock ${lockPath}: ${(error as Error).message}`);
    }
    // A plain file here is a lock of an older bulwark that died: locks are directories now.
    if ((await stat(lockPath).catch(() => null))?.isFile()) {
      await rm(lockPath, { force: true });
      return takeLock();
    }
    const holder = Number.parseInt(await readFile(join(lockPath, "pid"), "utf8").catch(() => ""), 10);
    holderPid = Number.isFinite(holder) ? holder : undefined;
    if (holderPid !== undefined && !isProcessAlive(holderPid)) {
      await rm(lockPath, { recursive: true, force: true });
      return takeLock();
    }
    if (!announced) options.onWait?.(holderPid);
    announced = true;
    return false;
  };
  await waitForOrThrow(
    takeLock,
    { timeoutMs: options.timeoutMs, intervalMs: 500, description: `the lock ${lockPath}` },
    () => new ToolingError(`another bulwark process (pid ${holderPid ?? "unknown"}) holds ${lockPath}`),
  );
  try {
    return await body();
  } finally {
    await rm(lockPath, { recursive: true, force: true });
  }
}
