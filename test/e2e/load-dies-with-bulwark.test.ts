import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { afterEach, describe, expect, it, vi } from "vitest";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { summarySchema } from "../../reports/summary-schema.ts";
import { nowMs } from "../support/ground-truth-server.ts";
import { ShopTarget } from "../support/shop-target.ts";
import { temporaryReportsRoot, type CliResult } from "../support/run-cli.ts";

const config = repoPath("test", "fixtures", "external-target.config.json");
/** The engine must stop putting load on the target within this long after bulwark dies. */
const stopWithinMs = 1000;

/** The process's state letter from /proc (R, S, Z...), or undefined when it no longer exists. */
function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
  } catch {
    return undefined;
  }
}

/** Alive: exists and is not a zombie waiting for a reaper (PID 1 here may never reap it). */
const isAlive = (pid: number): boolean => processState(pid) !== undefined && processState(pid) !== "Z";

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

function processGroupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    return "";
  }
}

/** Every live process descended from `root` (the engine and the demo target are bulwark's children). */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = parentOf(Number(entry));
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found.filter(isAlive);
}

interface StartedCli {
  child: ChildProcess;
  result: Promise<CliResult & { exitedAt: number }>;
}

function startBulwark(args: string[], options: { ownProcessGroup: boolean }): StartedCli {
  const child = spawn(process.execPath, [repoPath("bin", "bulwark.mjs"), ...args], {
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.ownProcessGroup,
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const result = new Promise<CliResult & { exitedAt: number }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, exitedAt: nowMs() }));
  });
  return { child, result };
}

/** Processes a test started (directly or through bulwark), killed after it whatever happened. */
const started = new Set<number>();
let target: ShopTarget | undefined;

afterEach(async () => {
  for (const pid of started) if (isAlive(pid)) process.kill(pid, "SIGKILL");
  started.clear();
  await target?.close();
  target = undefined;
});

/**
 * Starts bulwark against the shop target with a two-minute load and waits until the engine is
 * putting load on it; returns the engine's PID (and every other process bulwark started).
 */
async function bulwarkUnderLoad(command: string[], options: { ownProcessGroup: boolean }) {
  target = await ShopTarget.start();
  const reports = temporaryReportsRoot();
  const cli = startBulwark([...command, "--config", config, "--env", "external", "--target", target.url, "--out", reports], options);
  const bulwarkPid = cli.child.pid!;
  started.add(bulwarkPid);
  let stderrSoFar = "";
  cli.child.stderr?.on("data", (chunk: Buffer) => (stderrSoFar += chunk.toString()));
  const apiRequests = () => target!.arrivals().filter((arrival) => arrival.path.startsWith("/api/")).length;
  await vi.waitFor(() => expect(apiRequests(), stderrSoFar).toBeGreaterThanOrEqual(20), { timeout: 60_000, interval: 50 });
  const children = descendants(bulwarkPid);
  for (const pid of children) started.add(pid);
  const engines = children.filter((pid) => commandLine(pid).includes("bulwark-engine"));
  expect(engines, children.map(commandLine).join("\n")).toHaveLength(1);
  return { cli, bulwarkPid, engine: engines[0]!, children, reports };
}

/** After the kill: every process bulwark had started is gone, and the target saw no request 1 s later. */
async function expectLoadStopped(killedAt: number, children: number[]): Promise<void> {
  await vi.waitFor(() => expect(children.filter(isAlive).map((pid) => `${pid} ${commandLine(pid)}`)).toEqual([]), { timeout: 5_000, interval: 20 });
  // The observation window: requests already on the wire when the engine died arrive in it.
  const windowEnd = killedAt + 2 * stopWithinMs;
  if (nowMs() < windowEnd) await delay(windowEnd - nowMs());
  const arrivals = target!.arrivals();
  expect(arrivals.filter((arrival) => arrival.at < killedAt).length).toBeGreaterThan(20);
  const late = arrivals.filter((arrival) => arrival.at > killedAt + stopWithinMs);
  expect(late.map((arrival) => `${arrival.method} ${arrival.path} at kill+${Math.round(arrival.at - killedAt)} ms`)).toEqual([]);
}

describe("the load dies with bulwark (real engine)", () => {
  it("SIGKILL of bulwark's PID alone (out of memory): the target gets no request 1 s later", async () => {
    const { cli, bulwarkPid, children } = await bulwarkUnderLoad(["run", "smoke", "--profile", "long"], { ownProcessGroup: false });
    const killedAt = nowMs();
    process.kill(bulwarkPid, "SIGKILL");
    const { code } = await cli.result;
    expect(code).toBeNull();
    await expectLoadStopped(killedAt, children);
  });

  it("SIGKILL of bulwark's process group (a CI timeout): the target gets no request 1 s later", async () => {
    const { cli, bulwarkPid, children, engine } = await bulwarkUnderLoad(["gate", "long-gate"], { ownProcessGroup: true });
    // The engine leads a group of its own (so that a terminal's Ctrl-C reaches bulwark alone): the
    // group kill does not reach it, its watch on bulwark must.
    expect(processGroupOf(engine)).not.toBe(bulwarkPid);
    const killedAt = nowMs();
    process.kill(-bulwarkPid, "SIGKILL");
    const { code } = await cli.result;
    expect(code).toBeNull();
    await expectLoadStopped(killedAt, children);
  });

  it("SIGKILL of bulwark's PID alone with the embedded demo target: neither the engine nor the demo target survives", async () => {
    const cli = startBulwark(["run", "browse-catalog", "--env", "local", "--profile", "load", "--out", temporaryReportsRoot()], { ownProcessGroup: false });
    const bulwarkPid = cli.child.pid!;
    started.add(bulwarkPid);
    let children: number[] = [];
    await vi.waitFor(
      () => {
        children = descendants(bulwarkPid);
        expect(children.filter((pid) => commandLine(pid).includes("bulwark-engine run"))).toHaveLength(1);
        expect(children.filter((pid) => commandLine(pid).includes("demo-target.mjs"))).toHaveLength(1);
      },
      { timeout: 60_000, interval: 50 },
    );
    for (const pid of children) started.add(pid);
    process.kill(bulwarkPid, "SIGKILL");
    await cli.result;
    await vi.waitFor(() => expect(children.filter(isAlive).map(commandLine)).toEqual([]), { timeout: 5_000, interval: 20 });
  });

  it("SIGTERM (a CI cancelling the job): bulwark stops the load cleanly, exit 130, report marked aborted", async () => {
    const { cli, bulwarkPid, children, reports } = await bulwarkUnderLoad(["run", "smoke", "--profile", "long"], { ownProcessGroup: false });
    const termAt = nowMs();
    process.kill(bulwarkPid, "SIGTERM");
    const { code, stderr, exitedAt } = await cli.result;
    expect(code, stderr).toBe(130);
    expect(exitedAt - termAt).toBeLessThan(30_000);
    expect(stderr).toContain("SIGTERM received, stopping cleanly");
    // bulwark waited for the engine: nothing it started outlives it.
    expect(children.filter(isAlive).map(commandLine)).toEqual([]);
    const runs = readdirSync(reports).filter((entry) => /^\d/.test(entry));
    expect(runs).toHaveLength(1);
    const summary = summarySchema.parse(JSON.parse(readFileSync(join(reports, runs[0]!, "summary.json"), "utf8")));
    expect(summary).toMatchObject({ verdict: "aborted", exitCode: 130 });
    expect(summary.steps.map((step) => [step.name, step.verdict])).toEqual([["smoke", "aborted"]]);
  });
});
