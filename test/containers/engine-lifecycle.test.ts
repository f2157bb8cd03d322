import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { exec } from "../../scripts/core/exec.ts";
import { repoPath } from "../../scripts/core/repo-root.ts";
import type { ContainerEstateStatus } from "../../scripts/local/containers/index.ts";
import { serviceImages, overrideVariable } from "../../scripts/local/containers/images.ts";

let scratch: string | undefined;
afterEach(async () => {
  if (!scratch) return;
  // Whatever happened, the throw-away daemon must not outlive the test.
  const pidFile = join(scratch, "dockerd.pid");
  if (existsSync(pidFile)) {
    try {
      process.kill(Number(readFileSync(pidFile, "utf8")), "SIGKILL");
    } catch {
      // already gone
    }
  }
  await exec("umount", ["--recursive", "--lazy", join(scratch, "data")]);
  rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

describe("bulwark local up/down --containers with an engine of its own", () => {
  it("starts dockerd when none answers, reports it, and stops only the one it started", async () => {
    scratch = mkdtempSync(join(tmpdir(), "bulwark-engine-"));
    const socket = `unix://${join(scratch, "docker.sock")}`;
    // A second daemon beside the machine's: its own socket, folders and pid file. It must not touch the
    // machine's network (dockerd deletes docker0 when started with --bridge=none, and sets up docker0 and
    // iptables otherwise), so `up` runs in a network namespace of its own, which the daemon inherits.
    const flags = ["-H", socket, "--data-root", join(scratch, "data"), "--exec-root", join(scratch, "exec"), "--pidfile", join(scratch, "dockerd.pid"), "--iptables=false", "--ip-masq=false"];
    const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: socket, BULWARK_DOCKERD_FLAGS: flags.join(" "), BULWARK_CACHE_DIR: join(scratch, "cache"), NO_COLOR: "1" };
    // Every image points elsewhere, so `up` builds nothing and only the engine is exercised.
    for (const name of ["base", ...serviceImages] as const) env[overrideVariable(name)] = `bulwark-test/absent-${name}:1`;
    const bulwark = (...args: string[]) => exec(process.execPath, [repoPath("bin", "bulwark.mjs"), "local", ...args, "--containers"], { env });
    const bulwarkInOwnNetwork = (...args: string[]) => exec("unshare", ["--net", process.execPath, repoPath("bin", "bulwark.mjs"), "local", ...args, "--containers"], { env });
    const machineBridge = await exec("ip", ["-o", "link", "show", "docker0"]);

    const upResult = await bulwarkInOwnNetwork("up");
    expect(upResult.code, upResult.stderr).toBe(0);
    expect(upResult.stderr).toMatch(/started dockerd \(pid \d+\)/);
    expect(upResult.stderr).toContain(join(scratch, "cache", "engine", "dockerd.log"));

    const again = await bulwarkInOwnNetwork("up");
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("already running");

    const running = JSON.parse((await bulwark("status", "--json")).stdout) as { containers: ContainerEstateStatus };
    expect(running.containers.engine).toMatchObject({ running: true });
    expect(running.containers.images.every((image) => image.overridden && !image.present)).toBe(true);

    const downResult = await bulwark("down");
    expect(downResult.code, downResult.stderr).toBe(0);
    expect(downResult.stderr).toMatch(/stopping dockerd \(pid \d+\) started by bulwark/);
    const stopped = JSON.parse((await bulwark("status", "--json")).stdout) as { containers: ContainerEstateStatus };
    expect(stopped.containers.engine).toMatchObject({ running: false });

    const downAgain = await bulwark("down");
    expect(downAgain.stderr).toContain("left as it was");
    // The machine's own engine and its bridge were not touched.
    expect((await exec("docker", ["info", "--format", "{{.ServerVersion}}"], { env: { ...process.env, DOCKER_HOST: undefined } })).code).toBe(0);
    expect((await exec("ip", ["-o", "link", "show", "docker0"])).stdout.split(":")[0]).toBe(machineBridge.stdout.split(":")[0]);
  });
});
