import { readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { planSuiteSteps } from "../../../scripts/commands/gate.ts";
import { executeSteps } from "../../../scripts/commands/run-steps.ts";
import { repoPath } from "../../../scripts/core/repo-root.ts";
import type { StepKind } from "../../../scripts/kinds/step-kind.ts";
import { builtInKinds } from "../../../scripts/registry/kinds.ts";
import { Registry } from "../../../scripts/registry/registry.ts";
import { summarySchema } from "../../../reports/summary-schema.ts";

/** A kind that exists only in this test: a coin that is judged on the side it lands on. */
const coinKind: StepKind = {
  name: "coin",
  suiteStepKey: "coin",
  description: "tosses a coin that the config names",
  configShape: { coinLimit: z.number().int().positive().default(1).describe("how many heads a toss may show") },
  suiteStepSchema: z.object({ coin: z.enum(["heads", "tails"]) }).strict(),
  configErrors: () => [],
  planSuiteStep: (step) => ({ kind: "coin", subject: `toss-${String(step.coin)}`, details: { side: step.coin } }),
  describe: (step) => `a coin landing on ${String(step.details.side)}`,
  check: async () => {},
  prepare: async () => ({ release: async () => {} }),
  run: async (step, _prepared, context) => {
    const heads = step.details.side === "heads" ? 1 : 0;
    const limit = Number(context.config.coinLimit);
    const now = new Date().toISOString();
    return {
      name: step.stepName,
      kind: "coin",
      startedAt: now,
      finishedAt: now,
      durationMs: 0,
      verdict: heads >= limit ? "pass" : "fail",
      checks: [{ name: "heads shown", kind: "hypothesis", observed: heads, limit, unit: "count", verdict: heads >= limit ? "pass" : "fail", reason: `${heads} heads, required ${limit}` }],
      artifacts: {},
    };
  },
};

describe("a step kind registered in a test", () => {
  it("runs through the registry's config schema, gate planning, run-steps, reports and JUnit", async () => {
    const registry = new Registry([...builtInKinds, coinKind]);
    const shipped = JSON.parse(readFileSync(repoPath("bulwark.config.json"), "utf8")) as Record<string, unknown>;
    const validated = registry.validate({ ...shipped, coinLimit: 1, suites: { ...(shipped.suites as object), tosses: { steps: [{ coin: "heads" }, { coin: "tails" }] } } });
    if ("errors" in validated) throw new Error(validated.errors.join("\n"));
    const config = validated.config;
    expect(config.coinLimit).toBe(1);

    const steps = planSuiteSteps(registry, { config, suiteName: "tosses", environmentName: "local" });
    expect(steps.map((step) => [step.kind, step.stepName])).toEqual([["coin", "toss-heads"], ["coin", "toss-tails"]]);
    const reportsRoot = await mkdtemp(join(tmpdir(), "bulwark-coin-"));
    const { summary, runDirectory } = await executeSteps({
      kind: "gate",
      name: "tosses",
      steps,
      config,
      environmentName: "local",
      estate: {
        startDemoTarget: () => Promise.reject(new Error("not used")),
        postgresContainers: () => Promise.reject(new Error("not used")),
        localCluster: () => Promise.reject(new Error("not used")),
        localMonitoring: () => Promise.reject(new Error("not used")),
      },
      reportsRoot,
      historyLocation: join(reportsRoot, "history"),
      abortSignal: new AbortController().signal,
      registry,
    });

    expect(summary.verdict).toBe("fail");
    expect(summary.exitCode).toBe(1);
    const written = summarySchema.parse(JSON.parse(readFileSync(join(runDirectory.path, "summary.json"), "utf8")));
    expect(written.steps.map((step) => [step.name, step.kind, step.verdict])).toEqual([["toss-heads", "coin", "pass"], ["toss-tails", "coin", "fail"]]);
    const junit = readFileSync(join(runDirectory.path, "junit.xml"), "utf8");
    expect(junit).toContain('<testsuite name="tosses/toss-tails"');
    expect(junit).toMatch(/<testcase classname="toss-tails" name="heads shown">\s*<failure/);
    expect(readFileSync(join(runDirectory.path, "summary.md"), "utf8")).toContain("toss-tails");
  });

  it("a suite step no kind claims is refused by the config schema", () => {
    const registry = new Registry(builtInKinds);
    const shipped = JSON.parse(readFileSync(repoPath("bulwark.config.json"), "utf8")) as Record<string, unknown>;
    const validated = registry.validate({ ...shipped, suites: { tosses: { steps: [{ coin: "heads" }] } } });
    expect("errors" in validated && validated.errors.some((error) => error.startsWith("suites.tosses.steps.0"))).toBe(true);
  });
});
