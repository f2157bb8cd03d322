// From recorded facts to phases and checks: the cut of the load at the journal's instants (a request in
// flight when a fault is removed counts in recovery, never after), exact per-phase expectations, and the
// injection, recovery, safety and cleanup checks; then the guardrails on their boundaries.
import { describe, expect, it } from "vitest";
import type { FaultOutcome } from "../../../chaos/experiments/fault-actions.ts";
import { assertBlastRadius, assertLoadLongEnough, assertStaticGuardrails, mostPodsTouched, type GuardrailContext } from "../../../chaos/experiments/guardrails.ts";
import { experimentSchema, type Experiment } from "../../../chaos/experiments/schema.ts";
import { experimentChecks, experimentPhases, faultMarks, hypothesisWindows, inFlightUntil, type ExperimentFacts } from "../../../chaos/experiments/verdict.ts";
import type { RequestSamples } from "../../../scripts/core/request-samples.ts";
import { environmentSchema } from "../../../thresholds/schema.ts";

const experiment = (overrides: Record<string, unknown> = {}): Experiment =>
  experimentSchema.parse({
    title: "t",
    target: { namespace: "ns", selector: { app: "web" } },
    load: { scenario: "smoke", profile: "p" },
    hypothesis: { probes: [{ type: "http", name: "api", path: "/api/items" }] },
    method: { before: "2s", faults: [{ name: "slow", duration: "2s", demoFault: { latencyMs: 300 } }], after: "2s" },
    expectations: {
      phases: [
        { phase: "before", latencyP95Ms: 200 },
        { phase: "fault", latencyP95Ms: 200, errorRate: 0.1 },
        { phase: "after", latencyP95Ms: 200 },
      ],
      recoveryTime: "5s",
    },
    ...overrides,
  });

/** Requests every 10 ms from 0 to 8 s: 5 ms normally, 305 ms when sent while the fault was in [2000, 4000). */
function load(): RequestSamples {
  const ends: number[] = [];
  const durations: number[] = [];
  for (let sent = 0; sent < 8000; sent += 10) {
    const duration = sent >= 2000 && sent < 4000 ? 305 : 5;
    ends.push(sent + duration);
    durations.push(duration);
  }
  const column = (values: number[]) => ({ count: ends.length, timeMs: Float64Array.from(ends), value: Float64Array.from(values), endpointIndex: Int32Array.from(ends.map(() => 0)) });
  return { endpoints: ["list-items"], durations: column(durations), failures: column(ends.map(() => 0)), dropped: 0 };
}

function facts(outcome: Partial<FaultOutcome> = {}): ExperimentFacts {
  const exp = experiment();
  const fault: FaultOutcome = {
    entry: exp.method.faults[0]!,
    index: 0,
    label: "demo-fault latency 300 ms",
    injectedAtMs: 2000,
    confirmation: { atMs: 2000, detail: "applied" },
    removedAtMs: 4000,
    removal: "demo target back to no fault",
    recoveredAtMs: 4100,
    recoveryDetail: "hypothesis holds again",
    ...outcome,
  };
  return { experiment: exp, groups: [[fault]], skipped: [], preflightStartMs: -500, readings: [], load: { startedAtMs: 0, endedAtMs: 8100, requests: load() }, safety: {}, rollbackFailures: [] };
}

describe("phases of the load", () => {
  it("a fault phase from its injection to its removal; recovery until the hypothesis holds and the last slow request has ended", () => {
    // Sent at 3990 (in flight at the removal), it ended at 4295: recovery runs to just past it.
    expect(inFlightUntil(load(), 4000)).toBe(4296);
    expect(faultMarks(facts())).toEqual([
      { name: "fault:slow", kind: "fault", startMs: 2000, endMs: 4000 },
      { name: "recovery", kind: "recovery", startMs: 4000, endMs: 4296 },
    ]);
    expect(experimentPhases(facts()).map((phase) => [phase.name, phase.startMs, phase.endMs])).toEqual([
      ["before", 0, 2000],
      ["fault:slow", 2000, 4000],
      ["recovery", 4000, 4296],
      ["after", 4296, 8100],
    ]);
    // Recovery not confirmed: the window is the recovery time limit (4000 + 5 s), cut at the load's end.
    expect(faultMarks(facts({ recoveredAtMs: undefined }))[1]).toEqual({ name: "recovery", kind: "recovery", startMs: 4000, endMs: 8100 });
  });

  it("judges each phase exactly: the fault phase fails p95, before and after hold no slow request at all", () => {
    const all = facts();
    const checks = experimentChecks(all, experimentPhases(all));
    const byName = Object.fromEntries(checks.map((check) => [check.name, check]));
    expect(byName["before p(95) < 200 ms"]).toMatchObject({ verdict: "pass", samples: 200, beyondLimit: 0 });
    expect(byName["fault:slow p(95) < 200 ms"]).toMatchObject({ verdict: "fail", observed: 305 });
    expect(byName["after p(95) < 200 ms"]).toMatchObject({ verdict: "pass", beyondLimit: 0 });
    expect(byName["fault:slow error rate < 10 %"]).toMatchObject({ verdict: "pass", observed: 0 });
    expect(byName["injection slow"]).toMatchObject({ kind: "injection", verdict: "pass", observed: 0 });
    expect(byName["recovery slow within 5.0 s"]).toMatchObject({ verdict: "pass", observed: 0.1, unit: "s" });
    expect(byName["safety: error rate <= 50 % while a fault is in"]).toMatchObject({ kind: "safety", verdict: "pass" });
    expect(byName["every fault removed, rollbacks done"]).toMatchObject({ verdict: "pass" });
  });

  it("a fault that never took effect fails its injection check and names the faults not injected after it; no recovery is judged", () => {
    const never = facts({ confirmation: undefined, neverTookEffect: "fault never took effect: container-kill ... not injected within 4 s", recoveredAtMs: undefined });
    never.skipped.push("next");
    const checks = experimentChecks(never, experimentPhases(never));
    expect(checks.find((check) => check.name === "injection slow")).toMatchObject({ verdict: "fail", observed: null, reason: "fault never took effect: container-kill ... not injected within 4 s; not injected after it: next" });
    expect(checks.some((check) => check.name.startsWith("recovery"))).toBe(false);
  });

  it("a safety stop fails the safety check with how far into the fault it acted; a removal that left the object fails cleanup", () => {
    const stopped = facts({ removal: "PodChaos ns/x deleted but still there after 13.5 s (safety limit)" });
    stopped.safety = { breach: { requests: 20, failures: 20, rate: 1, breached: true, atMs: 3000, fault: "fault:slow", removedAfterMs: 1000, plannedMs: 2000 } };
    const checks = experimentChecks(stopped, experimentPhases(stopped));
    expect(checks.find((check) => check.kind === "safety" && check.name.startsWith("safety"))).toMatchObject({
      verdict: "fail",
      observed: 1,
      reason: "safety limit hit: 100 % (20 of 20 requests in the last 3s) failed during fault:slow; every fault was removed early, 1.0 s into its planned 2.0 s",
    });
    expect(checks.find((check) => check.name === "every fault removed, rollbacks done")).toMatchObject({ verdict: "fail", observed: 1 });
  });

  it("hypothesis windows: before from the preflight, each fault, its recovery, and after", () => {
    expect(hypothesisWindows(facts()).map((window) => [window.name, window.kind, window.startMs, window.endMs])).toEqual([
      ["before", "before", -500, 2000],
      ["fault:slow", "fault", 2000, 4000],
      ["recovery from slow", "recovery", 4000, 4100],
      ["after slow", "after", 4100, Number.POSITIVE_INFINITY],
    ]);
  });
});

describe("guardrails", () => {
  const env = (fields: Record<string, unknown> = {}) => environmentSchema.parse({ demo: true, allowChaos: true, kubernetes: { local: true, chaosNamespaces: ["ns"] }, ...fields });
  const kill = (mode: Record<string, unknown>, parallel = false) =>
    experiment({
      method: {
        parallel,
        faults: [
          { name: "a", duration: "2s", fault: { kind: "PodChaos", action: "pod-kill" }, ...mode },
          { name: "b", duration: "2s", fault: { kind: "PodChaos", action: "pod-kill" }, ...mode },
        ],
      },
      expectations: { phases: [] },
    });
  const context = (exp: Experiment, environment = env(), extra: Partial<GuardrailContext> = {}): GuardrailContext => ({ experimentName: "x", experiment: exp, environmentName: "e", environment, ...extra });

  it("refuses what the environment does not allow, before anything is applied", () => {
    expect(() => assertStaticGuardrails(context(kill({}), env({ allowChaos: false })))).toThrow("environment 'e' does not allow chaos");
    expect(() => assertStaticGuardrails(context(kill({}), env({ production: true })))).toThrow("confirm with --confirm-production e");
    expect(() => assertStaticGuardrails(context(kill({}), env({ production: true })), { dryRun: true })).not.toThrow();
    expect(() => assertStaticGuardrails(context(kill({}), env({ production: true }), { confirmProduction: "e" }))).not.toThrow();
    expect(() => assertStaticGuardrails(context(kill({}), env({ kubernetes: { local: true, chaosNamespaces: ["other"] } })))).toThrow("experiments.x.target.namespace: namespace 'ns' not allow-listed");
    expect(() => assertStaticGuardrails(context(experiment(), env({ demo: false })))).toThrow("demoFault switches the embedded demo target");
  });

  it("the blast radius: the largest fault in sequence, the sum in parallel; exactly at the limit passes", () => {
    expect(mostPodsTouched(kill({}), 4).touched).toBe(1);
    expect(mostPodsTouched(kill({}, true), 4).touched).toBe(2);
    expect(() => assertBlastRadius(context(kill({})), 2)).not.toThrow();
    expect(() => assertBlastRadius(context(kill({}, true)), 4)).not.toThrow();
    expect(() => assertBlastRadius(context(kill({}, true)), 3)).toThrow("would touch 2 of 3 matching pods");
    expect(() => assertBlastRadius(context(kill({ mode: "fixed-percent", value: 50 })), 4)).not.toThrow();
    expect(() => assertBlastRadius(context(kill({ mode: "fixed-percent", value: 51 })), 4)).toThrow("would touch 3 of 4 matching pods");
    expect(() => assertBlastRadius(context(kill({})), 0)).toThrow("experiments.x.target.selector matches no pod (ns app=web)");
  });

  it("the load must outlast before + faults + after", () => {
    expect(() => assertLoadLongEnough(context(experiment()), 6000)).not.toThrow();
    expect(() => assertLoadLongEnough(context(experiment()), 5999)).toThrow("experiments.x.load.profile: 'p' lasts 5.999 s in environment 'e', shorter than the experiment's before + faults + after (6 s)");
  });
});
