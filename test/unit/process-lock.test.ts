import { mkdtempSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isProcessAlive, withLock } from "../../scripts/core/process-lock.ts";

const freshLockPath = () => join(mkdtempSync(join(tmpdir(), "bulwark-lock-")), "work.lock");

describe("withLock", () => {
  it("runs one holder at a time and releases the lock afterwards", async () => {
    const lockPath = freshLockPath();
    const order: string[] = [];
    const hold = (name: string) =>
      withLock(lockPath, { timeoutMs: 10_000 }, async () => {
        order.push(`${name} in`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        order.push(`${name} out`);
      });
    await Promise.all([hold("a"), hold("b")]);
    expect([order.slice(0, 2), order.slice(2)].map((pair) => pair[0]!.split(" ")[0] === pair[1]!.split(" ")[0])).toEqual([true, true]);
    expect(existsSync(lockPath)).toBe(false);
  });

  it("takes over a lock whose holder is dead, and an old-style lock file", async () => {
    const deadHolder = freshLockPath();
    mkdirSync(deadHolder);
    writeFileSync(join(deadHolder, "pid"), "2147483646");
    await expect(withLock(deadHolder, { timeoutMs: 2000 }, async () => "ran")).resolves.toBe("ran");

    const oldFile = freshLockPath();
    writeFileSync(oldFile, String(process.pid));
    await expect(withLock(oldFile, { timeoutMs: 2000 }, async () => "ran")).resolves.toBe("ran");
  });

  it("gives up with a tooling error while a live process holds the lock", async () => {
    const lockPath = freshLockPath();
    mkdirSync(lockPath);
    writeFileSync(join(lockPath, "pid"), String(process.pid));
    let waitedFor: number | undefined;
    await expect(withLock(lockPath, { timeoutMs: 600, onWait: (pid) => (waitedFor = pid) }, async () => "ran")).rejects.toThrow(/another bulwark process \(pid \d+\) holds/);
    expect(waitedFor).toBe(process.pid);
  });
});

describe("isProcessAlive", () => {
  it("knows this process and not a pid that does not exist", () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(2147483646)).toBe(false);
  });
});
