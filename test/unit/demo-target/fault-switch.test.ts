import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createDemoServer, parseFaultSetting } from "../../../scripts/demo-target/server.ts";
import { switchDemoFaults } from "../../../scripts/demo-target/launch.ts";
import type { Server } from "node:http";

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function started(): Promise<string> {
  server = createDemoServer();
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function timed(url: string): Promise<{ status: number; ms: number }> {
  const start = performance.now();
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - start };
}

describe("the demo target's runtime fault switch", () => {
  it("adds latency and errors from the instant it is switched, and removes them again", async () => {
    const baseUrl = await started();
    expect((await timed(`${baseUrl}/api/items`)).status).toBe(200);

    const before = Date.now();
    const appliedAt = await switchDemoFaults(baseUrl, { latencyMs: 150, errorRate: 1 });
    expect(appliedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(appliedAt.getTime()).toBeLessThanOrEqual(Date.now());
    const slow = await timed(`${baseUrl}/api/items`);
    expect(slow.status).toBe(500);
    expect(slow.ms).toBeGreaterThanOrEqual(150);
    expect(await (await fetch(`${baseUrl}/control/faults`)).json()).toEqual({ latencyMs: 150, errorRate: 1 });

    await switchDemoFaults(baseUrl, { latencyMs: 0, errorRate: 0 });
    expect((await timed(`${baseUrl}/api/items`)).status).toBe(200);
  });

  it("spreads a switched error rate evenly from the switch on: 1 in 4 at 25 %", async () => {
    const baseUrl = await started();
    for (let index = 0; index < 3; index++) await timed(`${baseUrl}/api/items`);
    await switchDemoFaults(baseUrl, { latencyMs: 0, errorRate: 0.25 });
    const statuses: number[] = [];
    for (let index = 0; index < 8; index++) statuses.push((await timed(`${baseUrl}/api/items`)).status);
    expect(statuses.filter((status) => status === 500)).toHaveLength(2);
  });

  it.each([
    [{ latencyMs: -1 }, /latencyMs must be/],
    [{ errorRate: 2 }, /errorRate must be/],
    [{ jitter: 5 }, /unknown field 'jitter'/],
    [null, /JSON object/],
  ])("refuses %j naming the field", async (body, message) => {
    expect((parseFaultSetting(body) as { error: string }).error).toMatch(message);
    const baseUrl = await started();
    const response = await fetch(`${baseUrl}/control/faults`, { method: "PUT", body: JSON.stringify(body) });
    expect(response.status).toBe(400);
    await expect(switchDemoFaults(baseUrl, body as never)).rejects.toThrow(message);
  });
});

describe("the demo target's Prometheus metrics", () => {
  it("counts requests by method, route and status and histograms their latency", async () => {
    const baseUrl = await started();
    await timed(`${baseUrl}/api/items`);
    await timed(`${baseUrl}/api/items/3`);
    await timed(`${baseUrl}/api/items/999`);
    await timed(`${baseUrl}/api/nothing-here`);
    await switchDemoFaults(baseUrl, { latencyMs: 120, errorRate: 1 });
    await timed(`${baseUrl}/api/items`);
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    expect(text).toContain('demo_http_requests_total{method="GET",route="/api/items",status="200"} 1');
    expect(text).toContain('demo_http_requests_total{method="GET",route="/api/items",status="500"} 1');
    expect(text).toContain('demo_http_requests_total{method="GET",route="/api/items/{id}",status="200"} 1');
    expect(text).toContain('demo_http_requests_total{method="GET",route="/api/items/{id}",status="404"} 1');
    expect(text).toContain('demo_http_requests_total{method="GET",route="other",status="404"} 1');
    // The slow request is above 0.1 s: of the two /api/items requests, one is at or below 0.1 s.
    expect(text).toContain('demo_http_request_duration_seconds_bucket{method="GET",route="/api/items",le="0.1"} 1');
    expect(text).toContain('demo_http_request_duration_seconds_bucket{method="GET",route="/api/items",le="+Inf"} 2');
    expect(text).toContain('demo_http_request_duration_seconds_count{method="GET",route="/api/items"} 2');
    expect(text).not.toContain("/api/nothing-here");
  });
});
