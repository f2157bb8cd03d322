import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../scripts/registry/config.ts";
import { UsageError } from "../../scripts/core/errors.ts";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { bundleForEngine } from "../../scripts/kinds/load/bundle.ts";
import { ensureEngine } from "../../scripts/kinds/load/engine-binary.ts";
import { inspectScenario as inspectBundledScenario } from "../../scripts/kinds/load/inspect.ts";
import { buildRunPlan } from "../../scripts/kinds/load/plan.ts";
import { engineErrorMessage, engineExit } from "../../scripts/kinds/load/engine-process.ts";
import { GroundTruthServer, nowMs, type Route } from "../support/ground-truth-server.ts";
import { inspectScenario, logLines, removeScenarios, runScenario, startEngine, type EngineResult, type EngineSummary } from "../support/engine-scenario.ts";

// Acceptance tests of bulwark-engine against a server that knows exactly what it was sent and when.
// Every load is short (1-3 s) and goes to 127.0.0.1 only.

const servers: GroundTruthServer[] = [];

async function serve(routes: Record<string, Route>): Promise<GroundTruthServer> {
  const server = await GroundTruthServer.start(routes);
  servers.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

afterAll(async () => {
  await removeScenarios();
});

/** 1-based line of the scenario source that contains marker: where an error's `at` must point. */
function lineOf(source: string, marker: string): number {
  const index = source.split("\n").findIndex((line) => line.includes(marker));
  if (index < 0) throw new Error(`marker ${marker} is not in the scenario`);
  return index + 1;
}

/** The `at` of an error thrown on that line of scenario.ts (the source map may prefix a relative directory). */
const atLine = (line: number): RegExp => new RegExp(`(^|/)scenario\\.ts:${line}(:\\d+)?$`);

function summaryOf(result: EngineResult): EngineSummary {
  expect(result.summary, `no summary written; stderr:\n${result.stderrText}`).not.toBeNull();
  return result.summary!;
}

function metric(result: EngineResult, name: string, value: string): number | undefined {
  return summaryOf(result).metrics[name]?.values[value];
}

const context = (result: EngineResult): string => `exit ${result.exitCode}; stderr:\n${result.stderrText}`;

/** How late the test may observe an exit it waits for (process events, not the engine's doing). */
const observationSlackMs = 100;
/** How far the test server's clock may disagree with the engine's spacing of two requests. */
const clockToleranceMs = 2;

describe("bulwark-engine against a ground-truth server", () => {
  it("measures latency and counts requests and failures exactly", { timeout: 20_000 }, async () => {
    // 10 of the 100 requests fail: every tenth, from the fourth.
    const server = await serve({ "/fixed20": ({ index }) => ({ delayMs: 20, status: index % 10 === 3 ? 500 : 200 }) });
    const result = await runScenario(
      `
import http from "k6/http";
export const options = {
  scenarios: { main: { executor: "constant-arrival-rate", rate: 50, timeUnit: "1s", duration: "2s", preAllocatedVUs: 5, maxVUs: 20 } },
  summaryTrendStats: ["avg", "min", "med", "max", "p(50)", "p(95)", "count"],
};
export default function () {
  http.get(\`\${__ENV.TARGET}/fixed20\`);
}
`,
      { env: { TARGET: server.url } },
    );
    expect(result.exitCode, context(result)).toBe(engineExit.passed);
    expect(server.count("/fixed20")).toBe(100);
    expect(metric(result, "http_reqs", "count")).toBe(100);
    expect(metric(result, "iterations", "count")).toBe(100);
    expect(metric(result, "http_req_duration", "count")).toBe(100);
    expect(metric(result, "http_req_duration", "min")).toBeGreaterThanOrEqual(20);
    for (const stat of ["p(50)", "p(95)"]) {
      expect(metric(result, "http_req_duration", stat), stat).toBeGreaterThanOrEqual(20);
      expect(metric(result, "http_req_duration", stat), stat).toBeLessThanOrEqual(25);
    }
    expect(metric(result, "http_req_failed", "passes")).toBe(10);
    expect(metric(result, "http_req_failed", "fails")).toBe(90);
    expect(metric(result, "http_req_failed", "rate")).toBeCloseTo(0.1, 10);
  });

  it("starts constant-arrival-rate iterations exactly on schedule, none early", { timeout: 20_000 }, async () => {
    const server = await serve({ "/now": () => ({}) });
    const result = await runScenario(
      `
import http from "k6/http";
export const options = {
  scenarios: { main: { executor: "constant-arrival-rate", rate: 50, timeUnit: "1s", duration: "2s", preAllocatedVUs: 10, maxVUs: 50 } },
};
export default function () {
  http.get(\`\${__ENV.TARGET}/now\`);
}
`,
      { env: { TARGET: server.url } },
    );
    expect(result.exitCode, context(result)).toBe(engineExit.passed);
    expect(metric(result, "iterations", "count")).toBe(100);
    const arrivals = server.arrivals("/now").map((arrival) => arrival.at).sort((a, b) => a - b);
    expect(arrivals).toHaveLength(100);
    // The engine's due times are relative to its own start, unknown here: compare spacing from the first arrival.
    const t0 = arrivals[0]!;
    const early = arrivals.map((at, i) => ({ i, offset: at - t0, due: i * 20 })).filter(({ offset, due }) => offset < due - clockToleranceMs);
    expect(early, "requests that arrived before their due time (ms from the first request)").toEqual([]);
    // And the schedule is not merely spread out: the 100th is due at 1980 ms.
    expect(arrivals[99]! - t0).toBeLessThan(1980 + 100);
  });

  it("starts exactly the integral of a ramping-arrival-rate, ramping up then steady", { timeout: 20_000 }, async () => {
    const server = await serve({ "/now": () => ({}) });
    const result = await runScenario(
      `
import http from "k6/http";
export const options = {
  scenarios: {
    main: {
      executor: "ramping-arrival-rate", startRate: 0, timeUnit: "1s", preAllocatedVUs: 20, maxVUs: 100,
      stages: [{ duration: "2s", target: 100 }, { duration: "1s", target: 100 }],
    },
  },
};
export default function () {
  http.get(\`\${__ENV.TARGET}/now\`);
}
`,
      { env: { TARGET: server.url } },
    );
    expect(result.exitCode, context(result)).toBe(engineExit.passed);
    // 0 -> 100/s over 2 s is 100 iterations, then 100/s for 1 s another 100.
    expect(metric(result, "iterations", "count")).toBe(200);
    const arrivals = server.arrivals("/now").map((arrival) => arrival.at).sort((a, b) => a - b);
    expect(arrivals).toHaveLength(200);
    // The ramp shows: a flat rate would start ~67 iterations in the first second, the ramp 25 (36 at most
    // when the first iteration waits for the integral to reach 1).
    const firstSecond = arrivals.filter((at) => at - arrivals[0]! < 1000).length;
    expect(firstSecond).toBeGreaterThanOrEqual(20);
    expect(firstSecond).toBeLessThanOrEqual(40);
    // The steady last 100 are 10 ms apart, none early.
    const steady = arrivals.slice(100);
    const early = steady.map((at, i) => ({ i, offset: at - steady[0]!, due: i * 10 })).filter(({ offset, due }) => offset < due - clockToleranceMs);
    expect(early, "steady-phase requests that arrived early (ms from the 101st request)").toEqual([]);
  });

  it("drops no iteration while the server stalls, with VUs to spare, and shows the stall in the max", { timeout: 20_000 }, async () => {
    const server = await serve({ "/stall": ({ sinceFirstMs }) => ({ delayMs: sinceFirstMs < 500 ? 2000 : 0 }) });
    const result = await runScenario(
      `
import http from "k6/http";
export const options = {
  scenarios: { main: { executor: "constant-arrival-rate", rate: 50, timeUnit: "1s", duration: "3s", preAllocatedVUs: 5, maxVUs: 200 } },
};
export default function () {
  http.get(\`\${__ENV.TARGET}/stall\`);
}
`,
      { env: { TARGET: server.url } },
    );
    expect(result.exitCode, context(result)).toBe(engineExit.passed);
    expect(metric(result, "dropped_iterations", "count") ?? 0).toBe(0);
    const completed = metric(result, "iterations", "count") ?? 0;
    const interrupted = metric(result, "interrupted_iterations", "count") ?? 0;
    expect(completed + interrupted).toBe(150);
    expect(server.count("/stall")).toBe(150);
    expect(metric(result, "http_req_duration", "max")).toBeGreaterThanOrEqual(2000);
  });

  it("stops early with exit 11 when an abortOnFail threshold fails", { timeout: 20_000 }, async () => {
    const server = await serve({ "/slow50": () => ({ delayMs: 50 }) });
    const result = await runScenario(
      `
import http from "k6/http";
export const options = {
  scenarios: { main: { executor: "constant-vus", vus: 2, duration: "10s" } },
  thresholds: { http_req_duration: [{ threshold: "p(95)<10", abortOnFail: true, delayAbortEval: "1s" }] },
};
export default function () {
  http.get(\`\${__ENV.TARGET}/slow50\`);
}
`,
      { env: { TARGET: server.url } },
    );
    expect(result.exitCode, context(result)).toBe(engineExit.thresholdsAborted);
    expect(result.durationMs).toBeLessThan(5000);
    expect(summaryOf(result).metrics.http_req_duration?.thresholds?.["p(95)<10"]?.ok).toBe(false);
  });

  it("exits 21 when setup() throws, naming the error and where it was thrown", { timeout: 20_000 }, async () => {
    const server = await serve({ "/ok": () => ({}) });
    const source = `
import http from "k6/http";
export const options = { scenarios: { main: { executor: "shared-iterations", vus: 1, iterations: 1 } } };
export function setup(): void {
  throw new Error("setup exploded on purpose"); // THROW
}
export default function () {
  http.get(\`\${__ENV.TARGET}/ok\`);
}
`;
    const result = await runScenario(source, { env: { TARGET: server.url } });
    expect(result.exitCode, context(result)).toBe(engineExit.setupFailed);
    const errors = logLines(result, "error", "setup");
    expect(errors, context(result)).toHaveLength(1);
    expect(errors[0]!.msg).toContain("setup exploded on purpose");
    expect(errors[0]!.at).toMatch(atLine(lineOf(source, "// THROW")));
    expect(server.count()).toBe(0);
  });

  it("fails only the iteration that throws: exit 0, every iteration counted, one warning", { timeout: 20_000 }, async () => {
    const server = await serve({ "/ok": () => ({}) });
    const source = `
import http from "k6/http";
export const options = { scenarios: { main: { executor: "per-vu-iterations", vus: 2, iterations: 10 } } };
export default function () {
  http.get(\`\${__ENV.TARGET}/ok\`);
  if (__VU === 1 && __ITER === 3) {
    throw new Error("iteration 3 of VU 1 exploded"); // THROW
  }
}
`;
    const result = await runScenario(source, { env: { TARGET: server.url } });
    expect(result.exitCode, context(result)).toBe(engineExit.passed);
    expect(metric(result, "iterations", "count")).toBe(20);
    expect(metric(result, "http_reqs", "count")).toBe(20);
    expect(server.count("/ok")).toBe(20);
    const warnings = logLines(result, "warn", "iteration");
    expect(warnings, context(result)).toHaveLength(1);
    expect(warnings[0]!.msg).toContain("iteration 3 of VU 1 exploded");
    expect(warnings[0]!.at).toMatch(atLine(lineOf(source, "// THROW")));
  });

  it.each(["SIGTERM", "SIGINT"] as const)("stops on %s mid-run with exit 30 and writes the summary", { timeout: 20_000 }, async (signal) => {
    const server = await serve({ "/ok": () => ({ delayMs: 10 }) });
    const engine = await startEngine(
      `
import http from "k6/http";
export const options = { scenarios: { main: { executor: "constant-vus", vus: 2, duration: "10s" } } };
export default function () {
  http.get(\`\${__ENV.TARGET}/ok\`);
}
`,
      { env: { TARGET: server.url } },
    );
    await vi.waitFor(() => expect(server.count("/ok")).toBeGreaterThanOrEqual(10), { timeout: 10_000, interval: 20 });
    const arrivedBeforeSignal = server.count("/ok");
    const signalledAt = nowMs();
    engine.child.kill(signal);
    const result = await engine.result;
    expect(result.exitCode, context(result)).toBe(engineExit.interrupted);
    // Interrupted, not run to its 10 s end.
    expect(result.exitedAt - signalledAt).toBeLessThan(5000);
    // Every request that reached the server before the signal is counted, but for the one each VU may
    // have had in flight (interrupted, so not a completed request).
    const requests = metric(result, "http_reqs", "count") ?? 0;
    expect(requests).toBeGreaterThanOrEqual(arrivedBeforeSignal - 2);
    expect(requests).toBeLessThanOrEqual(server.count("/ok"));
  });

  it("exits 31 within a second when its standard input closes, and sends nothing after", { timeout: 20_000 }, async () => {
    const server = await serve({ "/ok": () => ({ delayMs: 10 }) });
    const engine = await startEngine(
      `
import http from "k6/http";
export const options = { scenarios: { main: { executor: "constant-vus", vus: 5, duration: "10s" } } };
export default function () {
  http.get(\`\${__ENV.TARGET}/ok\`);
}
`,
      { env: { TARGET: server.url } },
    );
    await vi.waitFor(() => expect(server.count("/ok")).toBeGreaterThanOrEqual(20), { timeout: 10_000, interval: 20 });
    const closedAt = nowMs();
    engine.child.stdin!.end();
    const result = await engine.result;
    expect(result.exitCode, context(result)).toBe(engineExit.stdinClosed);
    expect(result.exitedAt - closedAt).toBeLessThan(1000 + observationSlackMs);
    const last = Math.max(...server.arrivals("/ok").map((arrival) => arrival.at));
    expect(last - closedAt).toBeLessThanOrEqual(1000);
    expect(existsSync(engine.scenario.summaryPath), "no summary on a hard stop").toBe(false);
  });

  it("exits 31 within a second when its standard input closes while every VU waits on a response", { timeout: 20_000 }, async () => {
    const server = await serve({ "/ok": () => ({ delayMs: 10 }) });
    const engine = await startEngine(
      `
import http from "k6/http";
export const options = { scenarios: { main: { executor: "constant-vus", vus: 5, duration: "10s" } } };
export default function () {
  http.get(\`\${__ENV.TARGET}/ok\`, { timeout: "60s" });
}
`,
      { env: { TARGET: server.url } },
    );
    await vi.waitFor(() => expect(server.count("/ok")).toBeGreaterThanOrEqual(20), { timeout: 10_000, interval: 20 });
    server.stopAnswering();
    // Wait until every VU waits on a response that never comes.
    await vi.waitFor(() => expect(server.unanswered).toBe(5), { timeout: 5_000, interval: 10 });
    const closedAt = nowMs();
    engine.child.stdin!.end();
    const result = await engine.result;
    expect(result.exitCode, context(result)).toBe(engineExit.stdinClosed);
    expect(result.exitedAt - closedAt).toBeLessThan(1000 + observationSlackMs);
  });

  it("times a request out at its timeout param: status 0, error_code set, failed, ~200 ms", { timeout: 20_000 }, async () => {
    const server = await serve({ "/slow1000": () => ({ delayMs: 1000 }) });
    const result = await runScenario(
      `
import http from "k6/http";
import { check } from "k6";
export const options = { scenarios: { main: { executor: "shared-iterations", vus: 1, iterations: 1 } } };
export default function () {
  const response = http.get(\`\${__ENV.TARGET}/slow1000\`, { timeout: "200ms" });
  check(response, {
    "status is 0": (r) => r.status === 0,
    "error_code is set": (r) => typeof r.error_code === "number" && r.error_code !== 0,
  });
}
`,
      { env: { TARGET: server.url } },
    );
    expect(result.exitCode, context(result)).toBe(engineExit.passed);
    const checks = Object.fromEntries(summaryOf(result).root_group.checks.map((check) => [check.name, [check.passes, check.fails]]));
    expect(checks).toEqual({ "status is 0": [1, 0], "error_code is set": [1, 0] });
    expect(metric(result, "http_reqs", "count")).toBe(1);
    expect(metric(result, "http_req_failed", "passes")).toBe(1);
    expect(metric(result, "http_req_failed", "fails")).toBe(0);
    // Cut off at the 200 ms timeout, not after the route's full second.
    expect(metric(result, "iteration_duration", "max")).toBeGreaterThanOrEqual(200);
    expect(metric(result, "iteration_duration", "max")).toBeLessThan(1000);
  });

  it("follows a 302 and counts both hops; with redirects: 0 returns the 302", { timeout: 20_000 }, async () => {
    const server = await serve({ "/redirect": () => ({ status: 302, location: "/final" }), "/final": () => ({}) });
    const result = await runScenario(
      `
import http from "k6/http";
import { check } from "k6";
export const options = { scenarios: { main: { executor: "shared-iterations", vus: 1, iterations: 1 } } };
export default function () {
  const followed = http.get(\`\${__ENV.TARGET}/redirect\`);
  check(followed, {
    "followed: status 200": (r) => r.status === 200,
    "followed: final url": (r) => r.url === \`\${__ENV.TARGET}/final\`,
  });
  const kept = http.get(\`\${__ENV.TARGET}/redirect\`, { redirects: 0 });
  check(kept, { "redirects 0: status 302": (r) => r.status === 302 });
}
`,
      { env: { TARGET: server.url } },
    );
    expect(result.exitCode, context(result)).toBe(engineExit.passed);
    const checks = Object.fromEntries(summaryOf(result).root_group.checks.map((check) => [check.name, [check.passes, check.fails]]));
    expect(checks).toEqual({ "followed: status 200": [1, 0], "followed: final url": [1, 0], "redirects 0: status 302": [1, 0] });
    expect(metric(result, "http_reqs", "count")).toBe(3);
    expect([server.count("/redirect"), server.count("/final")]).toEqual([2, 1]);
    expect(metric(result, "http_req_failed", "passes")).toBe(0);
  });

  it.each([
    [1, 1],
    [5, 5],
  ])("reuses connections: %i VU(s), 50 sequential requests, at most %i connection(s)", { timeout: 20_000 }, async (vus, maxConnections) => {
    const server = await serve({ "/ok": () => ({}) });
    const result = await runScenario(
      `
import http from "k6/http";
export const options = { scenarios: { main: { executor: "per-vu-iterations", vus: ${vus}, iterations: ${50 / vus} } } };
export default function () {
  http.get(\`\${__ENV.TARGET}/ok\`);
}
`,
      { env: { TARGET: server.url } },
    );
    expect(result.exitCode, context(result)).toBe(engineExit.passed);
    expect(server.count("/ok")).toBe(50);
    expect(server.connections).toBeGreaterThanOrEqual(1);
    expect(server.connections).toBeLessThanOrEqual(maxConnections);
  });

  describe("an unsupported module (k6/ws)", () => {
    const source = `
import http from "k6/http";
import ws from "k6/ws";
export const options = { scenarios: { main: { executor: "shared-iterations", vus: 1, iterations: 1 } } };
export default function () {
  ws.connect(\`\${__ENV.TARGET}/ws\`, {}, () => {});
  http.get(\`\${__ENV.TARGET}/ok\`);
}
`;

    it("fails `run` with exit 20 naming the module", { timeout: 20_000 }, async () => {
      const server = await serve({ "/ok": () => ({}) });
      const result = await runScenario(source, { env: { TARGET: server.url } });
      expect(result.exitCode, context(result)).toBe(engineExit.scriptError);
      const errors = logLines(result, "error");
      expect(errors.length, context(result)).toBeGreaterThanOrEqual(1);
      expect(errors.some((line) => line.msg?.includes("k6/ws")), context(result)).toBe(true);
      expect(server.count()).toBe(0);
    });

    it("fails `inspect` with exit 20, and bulwark's error line names the module", { timeout: 20_000 }, async () => {
      const result = await inspectScenario(source);
      expect(result.exitCode, context(result)).toBe(engineExit.scriptError);
      expect(engineErrorMessage(result.stderrText)).toContain("k6/ws");
    });

    it("is bad input for bulwark (exit 2 naming the module) before any load starts", { timeout: 20_000 }, async () => {
      const dir = mkdtempSync(join(tmpdir(), "bulwark-unsupported-"));
      writeFileSync(join(dir, "uses-ws.ts"), source);
      await bundleForEngine({ "uses-ws": join(dir, "uses-ws.ts") }, dir);
      const config = await loadConfig(repoPath("bulwark.config.json"));
      const plan = buildRunPlan({ config, environmentName: "local", scenario: "smoke", profileName: "smoke", baseUrl: "http://127.0.0.1:1", runId: "unsupported" });
      const refused = await inspectBundledScenario(await ensureEngine(), plan, join(dir, "uses-ws.js")).then(
        () => null,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(UsageError);
      expect((refused as UsageError).code).toBe(2);
      expect((refused as UsageError).message).toMatch(/^scenario smoke: .*k6\/ws/);
      rmSync(dir, { recursive: true, force: true });
    });
  });

  describe("thresholds exactly at the p(95) boundary (798 requests)", () => {
    // r = ceil(0.95 * 798) = 759: "p(95)<200" passes iff at least 759 requests took under 200 ms.
    it.each([
      [40, engineExit.thresholdsFailed, false, 758],
      [39, engineExit.passed, true, 759],
    ])("%i slow requests: exit %i, threshold ok %s", { timeout: 30_000 }, async (slowCount, exitCode, ok, below) => {
      const server = await serve({ "/boundary": ({ index }) => ({ delayMs: index % 20 === 0 && index < slowCount * 20 ? 400 : 5 }) });
      const result = await runScenario(
        `
import http from "k6/http";
export const options = {
  scenarios: { main: { executor: "shared-iterations", vus: 8, iterations: 798 } },
  thresholds: { http_req_duration: ["p(95)<200"] },
};
export default function () {
  http.get(\`\${__ENV.TARGET}/boundary\`);
}
`,
        { env: { TARGET: server.url } },
      );
      expect(result.exitCode, context(result)).toBe(exitCode);
      expect(server.count("/boundary")).toBe(798);
      const duration = summaryOf(result).metrics.http_req_duration;
      expect(duration?.thresholds?.["p(95)<200"]?.ok).toBe(ok);
      expect(duration?.exact?.samples).toBe(798);
      expect(duration?.exact?.limits?.["200"]?.below).toBe(below);
    });
  });
});
