// The shared machinery of chaos, alert and rollout steps, against a ground truth this test controls: the
// demo target's latency is switched on for a recorded window while the real engine sends load, and the
// phases cut from the switch instants are judged exactly.
import { readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { executeSteps } from "../../scripts/commands/run-steps.ts";
import { localEstate } from "../../scripts/commands/estate.ts";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { waitFor } from "../../scripts/core/wait-for.ts";
import type { StepResult } from "../../scripts/core/step-result.ts";
import { checkLoads, prepareLoads, runLoadAlongside } from "../../scripts/kinds/load/load-alongside.ts";
import type { PreparedLoad } from "../../scripts/kinds/load/kind.ts";
import { cutPhases, judgePhases, phaseForReport } from "../../scripts/kinds/load/phases.ts";
import type { StepKind } from "../../scripts/kinds/step-kind.ts";
import { builtInKinds } from "../../scripts/registry/kinds.ts";
import { Registry } from "../../scripts/registry/registry.ts";

const load = { scenario: "smoke", profile: "alongside" };
const injectedLatencyMs = 300;

/** A kind that exists only here: slows the demo target down for a window in the middle of its load. */
const slowWindowKind: StepKind = {
  name: "slow-window",
  suiteStepKey: "slowWindow",
  description: "switches demo latency on for a window of a load",
  configShape: {},
  suiteStepSchema: z.object({ slowWindow: z.string() }).strict(),
  configErrors: () => [],
  planSuiteStep: () => ({ kind: "slow-window", subject: "window", details: {} }),
  describe: () => "a slow window",
  check: (_steps, context) => checkLoads([load], context),
  prepare: (_steps, context) => prepareLoads([load], context),
  async run(step, prepared, context): Promise<StepResult> {
    const target = (prepared as PreparedLoad).demoTarget!;
    const result = await runLoadAlongside(step.stepName, load, prepared as PreparedLoad, context, async (running) => {
      // Wait until the load is really flowing, so that "before" has requests of its own.
      await waitFor(() => running.live().durations.count >= 20, { timeoutMs: 10_000, intervalMs: 50, description: "first requests" });
      const on = await target.switchFaults({ latencyMs: injectedLatencyMs, errorRate: 0 });
      await waitFor(() => Date.now() - on.getTime() >= 2_000, { timeoutMs: 5_000, intervalMs: 50, description: "slow window" });
      const off = await target.switchFaults({ latencyMs: 0, errorRate: 0 });
      return { on: on.getTime(), off: off.getTime() };
    });
    // Requests that were inside the server when it was switched back still carry the latency: the window
    // closes when the last of them has ended (the latency itself after the switch).
    const faultEnd = result.value.off + injectedLatencyMs + 50;
    const phases = cutPhases(result.startedAtMs, result.endedAtMs, [{ name: "fault:slow", kind: "fault", startMs: result.value.on, endMs: faultEnd }]);
    const checks = judgePhases(result.requests, phases, [
      { phase: "before", latencyP95Ms: 200 },
      { phase: "fault", latencyP95Ms: 200 },
      { phase: "fault", latencyP95Ms: injectedLatencyMs + 150 },
      { phase: "after", latencyP95Ms: 200, errorRate: 0 },
    ]);
    return {
      ...result.load,
      name: step.stepName,
      kind: "slow-window",
      verdict: checks.every((check) => check.verdict === "pass") ? "pass" : "fail",
      checks: [...result.load.checks, ...checks],
      phases: phases.map(phaseForReport),
      timeline: [
        { at: new Date(result.value.on).toISOString(), event: "latency-on", detail: `${injectedLatencyMs} ms` },
        { at: new Date(result.value.off).toISOString(), event: "latency-off", detail: "" },
      ],
    };
  },
};

describe("a load alongside another kind's work, judged by phase", () => {
  it("finds the injected latency in the fault phase only, with every request accounted for", async () => {
    const registry = new Registry([...builtInKinds, slowWindowKind]);
    const shipped = JSON.parse(readFileSync(repoPath("bulwark.config.json"), "utf8")) as { profiles: object };
    const validated = registry.validate({
      ...shipped,
      profiles: { ...shipped.profiles, alongside: { executor: "constant-arrival-rate", ratePerSecond: 10, duration: "7s", preAllocatedVUs: 20, maxVUs: 40 } },
    });
    if ("errors" in validated) throw new Error(validated.errors.join("\n"));
    const reportsRoot = await mkdtemp(join(tmpdir(), "bulwark-alongside-"));
    const { summary, runDirectory } = await executeSteps({
      kind: "run",
      name: "slow-window",
      steps: [{ kind: "slow-window", stepName: "slow-window", subject: "window", details: {} }],
      config: validated.config,
      environmentName: "local",
      estate: localEstate(),
      reportsRoot,
      historyLocation: join(reportsRoot, "history"),
      abortSignal: new AbortController().signal,
      registry,
    });

    const step = summary.steps[0]!;
    const byName = Object.fromEntries(step.checks.filter((check) => check.kind === "expectation").map((check) => [check.name, check]));
    expect(byName["before p(95) < 200 ms"]?.verdict).toBe("pass");
    expect(byName["fault:slow p(95) < 200 ms"]?.verdict).toBe("fail");
    expect(byName["fault:slow p(95) < 200 ms"]!.observed).toBeGreaterThanOrEqual(injectedLatencyMs);
    expect(byName[`fault:slow p(95) < ${injectedLatencyMs + 150} ms`]?.verdict).toBe("pass");
    expect(byName["after p(95) < 200 ms"]?.verdict).toBe("pass");
    expect(byName["after error rate = 0"]?.verdict).toBe("pass");
    expect(step.verdict).toBe("fail");
    expect(summary.exitCode).toBe(1);

    // Every request the engine counted was judged in exactly one phase.
    const judged = ["before p(95) < 200 ms", "fault:slow p(95) < 200 ms", "after p(95) < 200 ms"].reduce((total, name) => total + (byName[name]?.samples ?? 0), 0);
    expect(judged).toBe(step.totals?.requests);

    expect(step.phases?.map((phase) => phase.kind)).toEqual(["before", "fault", "after"]);
    expect(step.artifacts.timeseries).toMatch(/^timeseries-slow-window-load\.json$/);
    const html = readFileSync(join(runDirectory.path, "report.html"), "utf8");
    expect(html).toContain('"kind":"fault"');
    expect(html).toContain("latency-on");
    expect(readFileSync(join(runDirectory.path, "summary.md"), "utf8")).toMatch(/\| fault:slow \| fault \|/);
  });
});
