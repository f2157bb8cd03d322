import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { summarySchema, type RunSummary } from "../../reports/summary-schema.ts";
import { runCli, startCli, temporaryReportsRoot } from "../support/run-cli.ts";

function onlyRunDirectory(reportsRoot: string): string {
  const entries = readdirSync(reportsRoot).filter((entry) => /^\d/.test(entry));
  expect(entries).toHaveLength(1);
  return join(reportsRoot, entries[0]!);
}

function readSummary(runDirectory: string): RunSummary {
  return summarySchema.parse(JSON.parse(readFileSync(join(runDirectory, "summary.json"), "utf8")));
}

const failedChecks = (summary: RunSummary) => summary.steps.flatMap((step) => step.checks.filter((check) => check.verdict !== "pass"));

describe("load gate against the embedded demo target (real engine)", () => {
  it("run smoke passes on a healthy target and writes a valid report", async () => {
    const reports = temporaryReportsRoot();
    const { code, stderr } = await runCli(["run", "smoke", "--out", reports]);
    expect(code, stderr).toBe(0);
    const runDirectory = onlyRunDirectory(reports);
    for (const file of ["summary.json", "junit.xml", "summary.md"]) expect(existsSync(join(runDirectory, file)), file).toBe(true);
    const summary = readSummary(runDirectory);
    expect(summary).toMatchObject({ kind: "run", name: "smoke", environment: "local", verdict: "pass", exitCode: 0, engineVersion: expect.stringMatching(/^bulwark-engine \d+\.\d+\.\d+\+[0-9a-f]{16}$/) });
    expect(summary.target).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const step = summary.steps[0]!;
    expect(step.endpoints?.map((endpoint) => endpoint.name).sort()).toEqual(["create-order", "get-item", "get-order", "list-items"]);
    expect(step.endpoints?.every((endpoint) => endpoint.requests > 0 && endpoint.latencyMs !== null)).toBe(true);
    expect(step.checks.length).toBeGreaterThan(10);
    expect(failedChecks(summary)).toEqual([]);
    expect(stderr).toContain(`report: ${runDirectory}`);
  });

  it("gate nightly passes every step and reports each of them", async () => {
    const reports = temporaryReportsRoot();
    const { code, stderr, stdout } = await runCli(["gate", "nightly", "--out", reports, "--json"]);
    expect(code, stderr).toBe(0);
    const summary = readSummary(onlyRunDirectory(reports));
    expect(summary.steps.map((step) => [step.name, step.profile, step.verdict])).toEqual([
      ["smoke", "smoke", "pass"],
      ["browse-catalog", "load", "pass"],
      ["place-order", "load", "pass"],
    ]);
    expect(JSON.parse(stdout)).toEqual(summary);
    const junit = readFileSync(join(onlyRunDirectory(reports), "junit.xml"), "utf8");
    expect(junit).toContain('<testsuite name="nightly/place-order"');
    expect(junit).not.toContain("<failure");
    expect(junit).toMatch(/<skipped message="insufficient history/);
  });

  it("fails the p95 threshold of the critical endpoints when the target is slow", async () => {
    const reports = temporaryReportsRoot();
    const { code, stderr } = await runCli(["run", "smoke", "--out", reports, "--demo-fault", "latency=300ms"]);
    expect(code, stderr).toBe(1);
    const runDirectory = onlyRunDirectory(reports);
    const summary = readSummary(runDirectory);
    expect(summary.verdict).toBe("fail");
    const p95 = failedChecks(summary).filter((check) => check.expression === "p(95)<200");
    expect(p95.map((check) => check.endpoint).sort()).toEqual(["create-order", "get-item", "list-items"]);
    for (const check of p95) expect(check.observed).toBeGreaterThanOrEqual(300);
    const junit = readFileSync(join(runDirectory, "junit.xml"), "utf8");
    expect(junit).toMatch(/<testcase classname="smoke" name="list-items p\(95\) &lt; 200 ms">\s*<failure type="SloBreached" message="100 % \((\d+)\) of \1 requests at or over 200 ms; allowed 5 % \(at most 0\); p\(95\) 3\d\d(\.\d)? ms; \1 requests: too few for p\(95\) to differ from the maximum \(20 needed\)"/);
  });

  it("fails the error-rate thresholds when the target answers 5 % errors", async () => {
    const reports = temporaryReportsRoot();
    const { code, stderr } = await runCli(["run", "smoke", "--out", reports, "--demo-fault", "errors=5%"]);
    expect(code, stderr).toBe(1);
    const runDirectory = onlyRunDirectory(reports);
    const failed = failedChecks(readSummary(runDirectory));
    const errorRate = failed.filter((check) => check.metric?.startsWith("http_req_failed{endpoint:"));
    expect(errorRate.length).toBeGreaterThan(0);
    for (const check of errorRate) expect(check.observed).toBeGreaterThan(check.limit ?? 1);
    expect(readFileSync(join(runDirectory, "junit.xml"), "utf8")).toMatch(/name="list-items error rate &lt; 0\.1 %">\s*<failure/);
    expect(stderr).toMatch(/list-items error rate < 0\.1 %\s+\d+(\.\d+)? %\s+rate<0\.001\s+fail/);
  });

  it("exits 3 with one clear line when the target is down", async () => {
    const reports = temporaryReportsRoot();
    const { code, stderr } = await runCli(["run", "smoke", "--out", reports, "--target", "http://127.0.0.1:1"]);
    expect(code).toBe(3);
    expect(stderr.trim().split("\n")).toEqual(["bulwark: target unreachable at preflight: GET http://127.0.0.1:1/health failed (ECONNREFUSED)"]);
  });

  it("exits 3 saying how to fix it when the engine is not built and Go is not available", async () => {
    const emptyCache = temporaryReportsRoot();
    const { code, stderr } = await runCli(["run", "smoke", "--out", emptyCache], { PATH: join(emptyCache, "no-bin"), BULWARK_CACHE_DIR: emptyCache, BULWARK_ENGINE: "" });
    expect(code).toBe(3);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/the load engine is not built and Go is not installed to build it: install Go .*, or set BULWARK_ENGINE to a built engine/);
  });

  it("exits 3 naming the fix when building the engine is forbidden and it is not built", async () => {
    const emptyCache = temporaryReportsRoot();
    const { code, stderr } = await runCli(["run", "smoke", "--out", emptyCache], { BULWARK_CACHE_DIR: emptyCache, BULWARK_ENGINE: "", BULWARK_ENGINE_NO_BUILD: "1" });
    expect(code).toBe(3);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/the load engine is not built .* and BULWARK_ENGINE_NO_BUILD=1 forbids building it: run 'bulwark setup --engine'/);
  });

  it("stops the engine on SIGINT and still writes the report, marked aborted", async () => {
    const reports = temporaryReportsRoot();
    const run = startCli(["gate", "nightly", "--out", reports]);
    let stderrSoFar = "";
    run.child.stderr?.on("data", (chunk: Buffer) => (stderrSoFar += chunk.toString()));
    // Interrupt in the middle of the second step, while the engine is putting load on the target.
    await vi.waitFor(() => expect(stderrSoFar).toContain("step 2/3"), { timeout: 60_000, interval: 200 });
    await vi.waitFor(() => expect(existsSync(join(onlyRunDirectory(reports), "browse-catalog.engine.log"))).toBe(true), { timeout: 10_000, interval: 100 });
    run.child.kill("SIGINT");
    const { code, stderr } = await run.result;
    expect(code).not.toBe(0);
    expect(stderr).toContain("SIGINT received, stopping cleanly");
    const summary = readSummary(onlyRunDirectory(reports));
    expect(summary.verdict).toBe("aborted");
    expect(summary.exitCode).toBe(code);
    expect(summary.steps.map((step) => [step.name, step.verdict])).toEqual([
      ["smoke", "pass"],
      ["browse-catalog", "aborted"],
    ]);
  });
});
