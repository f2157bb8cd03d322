import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { summarySchema, type Check, type RunSummary } from "../../reports/summary-schema.ts";
import { runCli, temporaryReportsRoot, type CliResult } from "../support/run-cli.ts";
import { SloTarget, spreadEvenly, type Decide, type EndpointName } from "../support/slo-target.ts";
import { writeVerdictConfig } from "../support/verdict-config.ts";

// Verdicts against a service whose latencies and failures the test decides request by request, on the
// real engine: the truth of every verdict is known.

const config = writeVerdictConfig();
let target: SloTarget | undefined;

afterEach(async () => {
  await target?.close();
  target = undefined;
});

interface Run extends CliResult {
  summary: RunSummary;
  directory: string;
}

async function run(scenario: string, profile: string, decide: Partial<Record<EndpointName, Decide>>): Promise<Run> {
  target = await SloTarget.start(decide);
  const reports = temporaryReportsRoot();
  const result = await runCli(["run", scenario, "--profile", profile, "--config", config, "--target", target.url, "--out", reports]);
  const runId = readdirSync(reports).find((entry) => /^\d/.test(entry));
  expect(runId, result.stderr).toBeDefined();
  const directory = join(reports, runId!);
  return { ...result, directory, summary: summarySchema.parse(JSON.parse(readFileSync(join(directory, "summary.json"), "utf8"))) };
}

const checkOf = (summary: RunSummary, metric: string, expression: string): Check => {
  const found = summary.steps[0]!.checks.find((check) => check.metric === metric && check.expression === expression);
  expect(found, `${metric} ${expression}`).toBeDefined();
  return found!;
};

const slowWhen = (isSlow: (index: number) => boolean, delayMs: number): Decide => (index) => (isSlow(index) ? { delayMs } : {});

describe("percentile verdicts judged on exact counts", () => {
  it("fails p(95) < 200 ms when 5.1 % of 1000 requests take 400 ms (exit 1), saying how many", async () => {
    const { code, stderr, summary, directory } = await run("browse-catalog", "thousand", { "list-items": slowWhen(spreadEvenly(51, 1000), 400) });
    expect(code, stderr).toBe(1);
    expect(target!.count("list-items")).toBe(1000);
    const p95 = checkOf(summary, "http_req_duration{endpoint:list-items}", "p(95)<200");
    expect(p95).toMatchObject({ verdict: "fail", samples: 1000, beyondLimit: 51 });
    expect(p95.observed).toBeGreaterThanOrEqual(400);
    expect(p95.reason).toMatch(/^5\.1 % \(51\) of 1000 requests at or over 200 ms; allowed 5 % \(at most 50\); p\(95\) 4\d\d(\.\d)? ms$/);
    expect(checkOf(summary, "http_req_duration{endpoint:list-items}", "p(99)<500").verdict).toBe("pass");
    expect(summary.steps[0]!.checks.filter((check) => check.verdict !== "pass").map((check) => check.name)).toEqual(["list-items p(95) < 200 ms"]);
    // One number everywhere: the same text in junit.xml, summary.md and the table on stderr.
    expect(readFileSync(join(directory, "junit.xml"), "utf8")).toContain(`<failure type="SloBreached" message="${p95.reason}"`);
    expect(readFileSync(join(directory, "summary.md"), "utf8")).toContain(`| ${p95.reason} |`);
    expect(stderr).toMatch(/list-items p\(95\) < 200 ms\s+4\d\d(\.\d)? ms\s+p\(95\)<200\s+fail/);
  });

  it("passes it when 4.9 % do", async () => {
    const { code, stderr, summary } = await run("browse-catalog", "thousand", { "list-items": slowWhen(spreadEvenly(49, 1000), 400) });
    expect(code, stderr).toBe(0);
    expect(summary.verdict).toBe("pass");
    const p95 = checkOf(summary, "http_req_duration{endpoint:list-items}", "p(95)<200");
    expect(p95).toMatchObject({ verdict: "pass", samples: 1000, beyondLimit: 49 });
    expect(p95.reason).toMatch(/^4\.9 % \(49\) of 1000 requests at or over 200 ms; allowed 5 % \(at most 50\); p\(95\) /);
  });

  it("fails p(95) on 11 requests with one slow, and says 11 requests are too few to tell p(95) from the maximum", async () => {
    const { code, stderr, summary } = await run("smoke", "eleven", { "list-items": slowWhen((index) => index === 5, 300) });
    expect(code, stderr).toBe(1);
    const p95 = checkOf(summary, "http_req_duration{endpoint:list-items}", "p(95)<200");
    expect(p95).toMatchObject({ verdict: "fail", samples: 11, beyondLimit: 1 });
    expect(p95.reason).toMatch(/^9\.091 % \(1\) of 11 requests at or over 200 ms; allowed 5 % \(at most 0\); p\(95\) 3\d\d(\.\d)? ms; 11 requests: too few for p\(95\) to differ from the maximum \(20 needed\)$/);
    const p99 = checkOf(summary, "http_req_duration{endpoint:list-items}", "p(99)<500");
    expect(p99.verdict).toBe("pass");
    expect(p99.reason).toMatch(/too few for p\(99\) to differ from the maximum \(100 needed\)$/);
  });
});

describe("precision that decides", () => {
  it("prints 1 failure in 1001 requests as 0.0999 %, not as the 0.1 % limit", async () => {
    const { code, stderr, summary, directory } = await run("browse-catalog", "thousand-and-one", { "get-item": (index) => (index === 500 ? { status: 500 } : {}) });
    expect(code, stderr).toBe(0);
    const errors = checkOf(summary, "http_req_failed{endpoint:get-item}", "rate<0.001");
    expect(errors).toMatchObject({ verdict: "pass", samples: 1001, reason: "0.0999 % (1 of 1001 requests) failed; required < 0.1 %" });
    expect(stderr).toMatch(/get-item error rate < 0\.1 %\s+0\.0999 %\s+rate<0\.001\s+pass/);
    expect(readFileSync(join(directory, "summary.md"), "utf8")).toContain("| get-item error rate < 0.1 % | ✅ pass | 0.0999 % |");
  });
});

describe("generator or service", () => {
  it("calls a starved generator against a healthy service invalid (exit 3), not an SLO failure", async () => {
    const { code, stderr, summary, directory } = await run("browse-catalog", "starved", { "list-items": () => ({ delayMs: 30 }), "get-item": () => ({ delayMs: 30 }) });
    expect(code, stderr).toBe(3);
    expect(summary.verdict).toBe("invalid");
    const step = summary.steps[0]!;
    expect(step.checks.filter((check) => check.kind !== "generator").every((check) => check.verdict === "pass")).toBe(true);
    expect(step.generator).toMatchObject({ maxVUs: 1, preAllocatedVUs: 1, vusSizedBy: "profile", vusMax: 1, saturated: true });
    expect(step.generator!.droppedIterations).toBeGreaterThan(50);
    expect(step.generator!.engineCpuSeconds).toBeGreaterThan(0);
    const generator = step.checks.find((check) => check.kind === "generator")!;
    expect(generator.reason).toMatch(/^invalid: load generator saturated: \d+ iterations dropped \(allowed 0\); 1 of maxVUs 1 VUs allocated \(set by the profile\); engine CPU \d+\.\d\d cores/);
    expect(stderr).toContain("verdict: invalid (exit 3)");
    expect(stderr).toContain("browse-catalog: invalid: load generator saturated:");
    expect(readFileSync(join(directory, "junit.xml"), "utf8")).toContain('<error type="GeneratorSaturated"');
  });

  it("fails the latency check of a slow service with the same profile (exit 1)", async () => {
    const { code, stderr, summary } = await run("browse-catalog", "starved", { "list-items": () => ({ delayMs: 300 }), "get-item": () => ({ delayMs: 300 }) });
    expect(code, stderr).toBe(1);
    expect(summary.verdict).toBe("fail");
    expect(summary.steps[0]!.generator!.saturated).toBe(true);
    expect(checkOf(summary, "http_req_duration{endpoint:list-items}", "p(95)<200")).toMatchObject({ verdict: "fail", beyondLimit: expect.any(Number) });
  });

  it("sizes the VUs by Little's law when the profile does not fix them, and the healthy run is valid", async () => {
    const { code, stderr, summary } = await run("browse-catalog", "eleven", {});
    expect(code, stderr).toBe(0);
    // 11 iterations/s x (200 + 200 ms at the SLO) = 4.4 in flight: 5 allocated, twice that allowed.
    expect(summary.steps[0]!.generator).toMatchObject({ preAllocatedVUs: 5, maxVUs: 9, vusSizedBy: "littles-law", droppedIterations: 0, saturated: false });
  });
});
