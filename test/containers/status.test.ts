import { describe, expect, it } from "vitest";
import { exec } from "../../scripts/core/exec.ts";
import { repoPath } from "../../scripts/core/repo-root.ts";
import type { ContainerEstateStatus } from "../../scripts/local/containers/index.ts";
import { postgresForTest } from "../support/containers-fixture.ts";

const bulwark = (...args: string[]) => exec(process.execPath, [repoPath("bin", "bulwark.mjs"), ...args], { env: { ...process.env, NO_COLOR: "1" } });

describe("bulwark local status --containers --json", () => {
  it("reports the engine version, the images with their ages and the containers bulwark started", async () => {
    await using postgres = await postgresForTest();
    const result = await bulwark("local", "status", "--containers", "--json");
    expect(result.code, result.stderr).toBe(0);
    const status = (JSON.parse(result.stdout) as { containers: ContainerEstateStatus }).containers;

    expect(status.engine.running).toBe(true);
    if (!status.engine.running) return;
    expect(status.engine.serverVersion).toMatch(/^\d+\.\d+/);
    expect(status.engine.apiVersion).toMatch(/^1\.\d+$/);

    expect(status.images.map((image) => image.name)).toEqual(["base", "postgres", "demo-target", "prometheus", "alertmanager"]);
    for (const image of status.images) {
      expect(image, image.name).toMatchObject({ present: true });
      expect(image.ageSeconds, image.name).toBeGreaterThanOrEqual(0);
      expect(Date.parse(image.createdAt ?? "")).toBeLessThanOrEqual(Date.now());
    }

    const listed = status.containers.find((container) => container.id === postgres.container.getId());
    expect(listed).toMatchObject({ state: "running", image: status.images.find((image) => image.name === "postgres")?.reference });
    expect(listed?.ports).toContain(`127.0.0.1:${postgres.port}->5432/tcp`);
  });

  it("prints a human table without --json", async () => {
    const result = await bulwark("local", "status", "--containers");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/container engine: Docker \d+\.\d+/);
    expect(result.stderr).toMatch(/^postgres\s+bulwark\/postgres:[0-9a-f]{16}\s+yes\s+\S+/m);
  });
});

describe("image overrides", () => {
  it("uses the image named by BULWARK_IMAGE_<NAME> instead of building one", async () => {
    const reference = `bulwark-test/override-demo:${Date.now()}`;
    const status = await bulwark("local", "status", "--containers", "--json");
    const built = (JSON.parse(status.stdout) as { containers: ContainerEstateStatus }).containers.images.find((image) => image.name === "demo-target");
    expect((await exec("docker", ["tag", built?.reference ?? "", reference])).code).toBe(0);
    try {
      const env = { ...process.env, BULWARK_IMAGE_DEMO_TARGET: reference, NO_COLOR: "1" };
      const upResult = await exec(process.execPath, [repoPath("bin", "bulwark.mjs"), "local", "up", "--containers"], { env });
      expect(upResult.code, upResult.stderr).toBe(0);
      expect(upResult.stderr).not.toContain("image demo-target: building");
      const result = await exec(process.execPath, [repoPath("bin", "bulwark.mjs"), "local", "status", "--containers", "--json"], { env });
      const images = (JSON.parse(result.stdout) as { containers: ContainerEstateStatus }).containers.images;
      expect(images.find((image) => image.name === "demo-target")).toMatchObject({ reference, overridden: true, present: true });
    } finally {
      await exec("docker", ["image", "rm", reference]);
    }
  });
});
