import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { summarySchema, type Check, type RunSummary } from "../../reports/summary-schema.ts";
import type { EngineSummaryData } from "../../scripts/kinds/load/engine-summary.ts";
import { runCli, temporaryReportsRoot, type CliResult } from "../support/run-cli.ts";
import { SloTarget, spreadEvenly } from "../support/slo-target.ts";

// Three engine processes, each an execution segment of one sequence, against a service that decides
// request by request which ones are slow: 750 get-item requests (150/s for 5 s), the scenario asking for
// item <iteration index in the whole test>. With three equal segments runner k runs the indices
// i ≡ k (mod 3), so the test knows which runner sent every slow request.

const runnersOf = 3;
const p95 = "p(95)<200";
const selector = "http_req_duration{endpoint:get-item}";

function writeProject(): string {
  const folder = mkdtempSync(join(tmpdir(), "bulwark-distributed-"));
  mkdirSync(join(folder, "scenarios"));
  writeFileSync(
    join(folder, "scenarios", "indexed.ts"),
    `import exec from "k6/execution";
import { defineScenario } from "bulwark/scenario";

export const scenario = defineScenario({ name: "indexed", description: "get-item, the item id being the iteration's index in the whole test", endpoints: ["get-item"], defaultProfile: "merge" });
export const options = scenario.options;
export const setup = scenario.setup;
export default function (): void {
  scenario.call("get-item", { params: { id: exec.scenario.iterationInTest } });
}
`,
  );
  const config = {
    slo: { critical: { latencyP95Ms: 200, latencyP99Ms: 500, errorRate: 0.001 }, standard: { latencyP95Ms: 500, latencyP99Ms: 1000, errorRate: 0.01 } },
    endpoints: [{ name: "get-item", method: "GET", path: "/api/items/{id}", criticality: "critical" }],
    profiles: {
      merge: { executor: "constant-arrival-rate", ratePerSecond: 150, duration: "5s" },
      // One VU per runner; the allowance of 500 dropped iterations is 166.67 per runner.
      "one-vu-each": { executor: "constant-arrival-rate", ratePerSecond: 150, duration: "5s", preAllocatedVUs: 3, maxVUs: 3, maxDroppedIterations: 500 },
    },
    suites: {},
    environments: { test: { baseUrl: "http://127.0.0.1:9" } },
    defaultEnvironment: "test",
  };
  writeFileSync(join(folder, "bulwark.config.json"), JSON.stringify(config, null, 2));
  return join(folder, "bulwark.config.json");
}

const config = writeProject();
let target: SloTarget | undefined;
afterEach(async () => {
  await target?.close();
  target = undefined;
});

/** Slow (250 ms, or delayMs) when runner (index mod 3) is in `slowShare` and its own index ⌊i/3⌋ is among that share of its requests. */
function slowWhere(slowShare: Record<number, (local: number) => boolean>, delayMs = 250) {
  let slowSent = 0;
  const byRunner = Array.from({ length: runnersOf }, () => 0);
  const decide = (_: number, path: string) => {
    const index = Number(path.split("/").at(-1));
    byRunner[index % runnersOf]! += 1;
    const isSlow = slowShare[index % runnersOf]?.(Math.floor(index / runnersOf)) ?? false;
    if (isSlow) slowSent += 1;
    return isSlow ? { delayMs } : {};
  };
  return { decide, slowSent: () => slowSent, byRunner: () => [...byRunner] };
}

interface Run extends CliResult {
  summary: RunSummary;
  directory: string;
  p95: Check;
}

async function run(
  runners: number,
  slowShare: Record<number, (local: number) => boolean>,
  options: { extraArgs?: string[]; delayMs?: number } = {},
): Promise<Run & { slowSent: number; requests: number; requestsByRunner: number[] }> {
  const slow = slowWhere(slowShare, options.delayMs);
  target = await SloTarget.start({ "get-item": slow.decide });
  const reports = temporaryReportsRoot();
  const result = await runCli(["run", "indexed", "--config", config, "--target", target.url, "--out", reports, "--runners", String(runners), ...(options.extraArgs ?? [])]);
  const runId = readdirSync(reports).find((entry) => /^\d/.test(entry));
  expect(runId, result.stderr).toBeDefined();
  const directory = join(reports, runId!);
  const summary = summarySchema.parse(JSON.parse(readFileSync(join(directory, "summary.json"), "utf8")));
  const check = summary.steps[0]!.checks.find((candidate) => candidate.metric === selector && candidate.expression === p95);
  expect(check, result.stderr).toBeDefined();
  return { ...result, summary, directory, p95: check!, slowSent: slow.slowSent(), requests: target.count("get-item"), requestsByRunner: slow.byRunner() };
}

/** Each runner's own engine summary: what that runner alone would have judged. */
function runnerSummaries(directory: string): EngineSummaryData[] {
  return Array.from({ length: runnersOf }, (_, index) => JSON.parse(readFileSync(join(directory, `indexed.runner-${index}.engine-summary.json`), "utf8")) as EngineSummaryData);
}

describe("three runners, one verdict on the merged counts", () => {
  it("passes p95 < 200 ms when one runner's 8 % slow requests are 2.7 % of all, as one process does, though that runner alone fails", async () => {
    const share = { 0: spreadEvenly(2, 25) }; // 20 of runner 0's 250 requests
    const merged = await run(runnersOf, share);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.requests).toBe(750);
    expect(merged.slowSent).toBe(20);
    expect(merged.p95).toMatchObject({ verdict: "pass", samples: merged.requests, beyondLimit: merged.slowSent });
    expect(merged.p95.reason).toMatch(/^2\.667 % \(20\) of 750 requests at or over 200 ms; allowed 5 % \(at most 37\); p\(95\) /);
    expect(merged.summary.steps[0]!.generator).toMatchObject({ droppedIterations: 0, saturated: false });

    const [first, second, third] = runnerSummaries(merged.directory).map((runner) => runner.metrics[selector]!);
    expect(first!.thresholds![p95]).toEqual({ ok: false });
    expect(first!.exact).toMatchObject({ samples: 250, limits: { "200": { below: 230 } } });
    expect([second!.thresholds![p95], third!.thresholds![p95]]).toEqual([{ ok: true }, { ok: true }]);

    const single = await run(1, share);
    expect(single.code, single.stderr).toBe(0);
    expect(single.p95).toMatchObject({ verdict: "pass", samples: 750, beyondLimit: 20 });
  });

  it("fails p95 < 200 ms when the runners' 8 %, 4 % and 4 % slow requests are 5.3 % of all, though the mean of their p95s passes", async () => {
    const merged = await run(runnersOf, { 0: spreadEvenly(2, 25), 1: spreadEvenly(1, 25), 2: spreadEvenly(1, 25) });
    expect(merged.code, merged.stderr).toBe(1);
    expect(merged.requests).toBe(750);
    expect(merged.slowSent).toBe(40);
    expect(merged.p95).toMatchObject({ verdict: "fail", samples: merged.requests, beyondLimit: merged.slowSent });
    expect(merged.p95.observed).toBeGreaterThanOrEqual(250);

    const runnerP95s = runnerSummaries(merged.directory).map((runner) => runner.metrics[selector]!.values["p(95)"]!);
    const mean = runnerP95s.reduce((total, value) => total + value, 0) / runnerP95s.length;
    expect(runnerP95s[0]).toBeGreaterThanOrEqual(250);
    expect(mean).toBeLessThan(200);
  });

  it("is invalid (exit 3) when one runner cannot send its slice, though the sum of dropped iterations is within the allowance", async () => {
    // Runner 0's requests take 150 ms (under every SLO) and it has one VU: about 7 of its 50 iterations a
    // second start, the rest are dropped, far over its share 500 / 3 of the allowance.
    const every = () => true;
    const merged = await run(runnersOf, { 0: every }, { extraArgs: ["--profile", "one-vu-each"], delayMs: 150 });
    expect(merged.code, merged.stderr).toBe(3);
    const step = merged.summary.steps[0]!;
    expect(step.verdict).toBe("invalid");
    const dropped = step.generator!.runnerDroppedIterations!;
    // Ground truth: what the server got from each runner, of the 250 iterations each one owns.
    expect(dropped).toEqual(merged.requestsByRunner.map((served) => 250 - served));
    expect(dropped[0]! * runnersOf).toBeGreaterThan(500);
    expect(step.generator).toMatchObject({ droppedIterations: 750 - merged.requests, maxDroppedIterations: 500, saturated: true });
    expect(step.generator!.droppedIterations).toBeLessThanOrEqual(500);
    for (const check of step.checks.filter((candidate) => candidate.kind !== "generator")) expect(check.verdict, check.name).toBe("pass");
    const generator = step.checks.find((candidate) => candidate.kind === "generator")!;
    expect(generator.reason).toMatch(new RegExp(`^invalid: load generator saturated: runner 0 dropped ${dropped[0]} iterations, over its share 166\\.67 of the 500 allowed; ${step.generator!.droppedIterations} iterations dropped \\(allowed 500\\)`));
    expect(generator.reason).not.toMatch(/runner [12] dropped/);
  });
});
