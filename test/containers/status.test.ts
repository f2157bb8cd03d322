import { describe, expect, it } from "vitest";
import { exec } from "../../scripts/lib/exec.ts";
import { repoPath } from "../../scripts/lib/repo-root.ts";
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
