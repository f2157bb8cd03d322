import { describe, expect, it } from "vitest";
import { exec } from "../../scripts/core/exec.ts";
import { startDemoTarget } from "../../scripts/local/containers/index.ts";
import { containerExists } from "../support/containers-fixture.ts";

describe("demo target image", () => {
  it("serves GET /health through a port published on 127.0.0.1 only", async () => {
    let containerId: string;
    {
      await using target = await startDemoTarget();
      containerId = target.container.getId();
      expect(target.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${target.url}/health`, { signal: AbortSignal.timeout(10_000) });
      expect(response.status).toBe(200);
      const inspect = await exec("docker", ["inspect", "--format", "{{json .NetworkSettings.Ports}}", containerId]);
      const bindings = (JSON.parse(inspect.stdout) as Record<string, { HostIp: string }[] | null>)["8080/tcp"] ?? [];
      expect(bindings.map((binding) => binding.HostIp)).toEqual(["127.0.0.1"]);
    }
    expect(await containerExists(containerId)).toBe(false);
  });
});
