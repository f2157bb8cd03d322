// A cross-process lock (mkdir is atomic) so that two `up` calls, or two test runs, never build or start
// the same thing at once. A lock left by a dead process is taken over.
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { cacheDir } from "../../lib/cache-dir.ts";
import { ToolingError } from "../../lib/errors.ts";

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

export async function withLock<T>(name: string, log: (line: string) => void, body: () => Promise<T>, timeoutMs = 90 * 60_000): Promise<T> {
  const dir = cacheDir("cluster", "locks", name);
  await mkdir(join(dir, ".."), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      await mkdir(dir);
      await writeFile(join(dir, "pid"), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number.parseInt(await readFile(join(dir, "pid"), "utf8").catch(() => ""), 10);
      if (Number.isFinite(holder) && !isProcessAlive(holder)) {
        await rm(dir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new ToolingError(`cluster: waited too long for lock ${dir} (held by pid ${holder})`);
      if (!announced) log(`cluster: waiting for another bulwark process (pid ${holder}) to finish ${name}`);
      announced = true;
      await sleep(1000);
    }
  }
  try {
    return await body();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
