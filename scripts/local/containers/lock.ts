import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ToolingError } from "../../lib/errors.ts";

/**
 * Runs `work` while holding a lock file, so that two bulwark processes (a test run and a CLI call) do not
 * start two engines or build the same image twice at once. A lock whose owner process is gone is taken over.
 */
export async function withLock<T>(lockFile: string, deadlineMs: number, work: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(lockFile), { recursive: true });
  const giveUpAt = Date.now() + deadlineMs;
  for (;;) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: "wx" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (!ownerAlive(lockFile)) {
        rmSync(lockFile, { force: true });
        continue;
      }
      if (Date.now() > giveUpAt) throw new ToolingError(`another bulwark process holds ${lockFile} (pid ${readOwner(lockFile)})`);
      await sleep(500);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

function readOwner(lockFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(lockFile, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function ownerAlive(lockFile: string): boolean {
  const pid = readOwner(lockFile);
  if (pid === undefined) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
