import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ExitError } from "../../scripts/core/errors.ts";
import { exec } from "../../scripts/core/exec.ts";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { startDockerd } from "../../scripts/local/containers/engine.ts";
import { buildFromDockerfile, imageExists, resolveImage } from "../../scripts/local/containers/images.ts";

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "bulwark-errors-"));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

/** A dockerd confined to the scratch folder whose configuration file is not JSON: it exits at once. */
function brokenDaemon() {
  const config = join(scratch, "daemon.json");
  writeFileSync(config, "{ this is not json");
  const socket = `unix://${join(scratch, "docker.sock")}`;
  const flags = ["--config-file", config, "-H", socket, "--data-root", join(scratch, "data"), "--exec-root", join(scratch, "exec"), "--pidfile", join(scratch, "dockerd.pid")];
  return { socket, flags };
}

describe("clear errors", () => {
  it("engine cannot start: exit 3 with the tail of dockerd's log (library)", async () => {
    const { socket, flags } = brokenDaemon();
    const logFile = join(scratch, "dockerd.log");
    const error = await startDockerd({ logFile, args: flags, host: socket, deadlineMs: 30_000 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ExitError);
    expect((error as ExitError).code).toBe(3);
    expect((error as ExitError).message).toMatch(/dockerd stopped \(exit code \d+\) before answering; last lines of .*dockerd\.log/);
    expect((error as ExitError).message).toContain("daemon.json");
  });

  it("engine cannot start: `bulwark local up --containers` exits 3 and quotes the log", async () => {
    const { socket, flags } = brokenDaemon();
    const cache = join(scratch, "cache");
    mkdirSync(cache);
    // In a network namespace of its own, so that even a daemon that got past its configuration could not
    // touch the machine's network.
    const result = await exec("unshare", ["--net", process.execPath, repoPath("bin", "bulwark.mjs"), "local", "up", "--containers"], {
      env: { ...process.env, DOCKER_HOST: socket, BULWARK_DOCKERD_FLAGS: flags.join(" "), BULWARK_CACHE_DIR: cache, NO_COLOR: "1" },
    });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain("dockerd stopped");
    expect(result.stderr).toContain(join(cache, "engine", "dockerd.log"));
    expect(result.stderr).toContain("daemon.json");
  });

  it("image build fails: exit 3 naming the image and the failing step", async () => {
    const recipe = join(scratch, "broken-recipe");
    mkdirSync(recipe);
    writeFileSync(join(recipe, "Dockerfile"), ["ARG BASE_IMAGE", "FROM ${BASE_IMAGE}", "RUN true", "RUN echo about to fail && exit 7", "RUN echo never"].join("\n") + "\n");
    const image = { name: "base" as const, reference: `bulwark/broken-test:${Date.now()}`, overridden: false };
    expect(await imageExists(resolveImage("base").reference)).toBe(true);

    const error = await buildFromDockerfile("broken-test", image, recipe).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ExitError);
    expect((error as ExitError).code).toBe(3);
    expect((error as ExitError).message).toMatch(/^image broken-test: build failed at step 4\/\d+ \(RUN echo about to fail && exit 7\)/);
    expect((error as ExitError).message).toContain("returned a non-zero code: 7");
    expect((error as ExitError).message).not.toContain("DEPRECATED");
    expect(await imageExists(image.reference)).toBe(false);
    const leftovers = await exec("docker", ["ps", "--all", "--no-trunc", "--format", "{{.Command}}"]);
    expect(leftovers.stdout).not.toContain("about to fail");
  });
});
