import { describe, expect, it } from "vitest";
import { Wait } from "testcontainers";
import { LoopbackContainer, resolveImage } from "../../scripts/local/containers/index.ts";
import { containerExists } from "../support/containers-fixture.ts";

describe.each([
  { name: "prometheus" as const, port: 9090 },
  { name: "alertmanager" as const, port: 9093 },
])("$name image", ({ name, port }) => {
  it("starts with its default configuration and reports ready on a loopback port", async () => {
    let containerId: string;
    {
      await using container = await new LoopbackContainer(resolveImage(name).reference)
        .withExposedPorts(port)
        .withWaitStrategy(Wait.forHttp("/-/ready", port).forStatusCode(200))
        .withStartupTimeout(60_000)
        .start();
      containerId = container.getId();
      const response = await fetch(`http://${container.getHost()}:${container.getMappedPort(port)}/-/healthy`, { signal: AbortSignal.timeout(10_000) });
      expect(response.status).toBe(200);
    }
    expect(await containerExists(containerId)).toBe(false);
  });
});
