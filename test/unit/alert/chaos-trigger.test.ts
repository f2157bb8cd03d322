// An alert check's chaos trigger on a demo-fault experiment, against a demo target the test fakes (its
// fault switch reports the instant it applied each setting): the fault window is the instants the
// target reported, a fault is removed once (by the check or when its duration ends, whichever comes
// first), its proof and cleanup are checks; the guardrails refuse before anything is injected. The
// real thing (monitoring estate, Chaos Mesh) is in test/containers/ and test/cluster/alert-chaos-trigger.test.ts.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UsageError } from "../../../scripts/core/errors.ts";
import { waitFor } from "../../../scripts/core/wait-for.ts";
import { checkChaosTrigger, chaosExperimentTrigger } from "../../../scripts/kinds/alert/chaos-trigger.ts";
import type { DemoFaultSetting, RunContext, StartedTarget, StepRunContext } from "../../../scripts/kinds/step-kind.ts";
import { experimentSchema } from "../../../chaos/experiments/schema.ts";
import type { EnvironmentConfig } from "../../../thresholds/schema.ts";

function demoExperiment(method: Record<string, unknown>) {
  return experimentSchema.parse({
    title: "errors on the demo target",
    target: { namespace: "bulwark-demo", selector: { app: "demo-target" } },
    load: { scenario: "smoke", profile: "chaos" },
    hypothesis: { probes: [{ type: "http", name: "api", path: "/api/items", tolerance: { status: 200 } }] },
    method,
  });
}

const experiments = {
  errors: demoExperiment({ faults: [{ name: "errors", duration: "60s", demoFault: { errorRate: 0.5 } }] }),
  "short-errors": demoExperiment({ faults: [{ name: "errors", duration: "200ms", demoFault: { errorRate: 0.5 } }] }),
  "two-in-sequence": demoExperiment({
    faults: [
      { name: "slow", duration: "5s", demoFault: { latencyMs: 300 } },
      { name: "errors", duration: "5s", demoFault: { errorRate: 0.5 } },
    ],
  }),
  "two-in-parallel": demoExperiment({
    parallel: true,
    faults: [
      { name: "slow", duration: "60s", demoFault: { latencyMs: 300 } },
      { name: "errors", duration: "60s", demoFault: { errorRate: 0.2 } },
    ],
  }),
};

/** The demo target's switch, faked: every setting it got, with the instant it "applied" it. */
function fakeTarget() {
  const switched: { setting: DemoFaultSetting; atMs: number }[] = [];
  const target: StartedTarget = {
    baseUrl: "http://127.0.0.1:1",
    metricsUrl: "http://127.0.0.1:1/metrics",
    async switchFaults(setting) {
      const atMs = Date.now();
      switched.push({ setting, atMs });
      return new Date(atMs);
    },
    stop: async () => undefined,
  };
  return { target, switched };
}

const environment = (overrides: Partial<EnvironmentConfig> = {}): EnvironmentConfig =>
  ({ demo: true, allowChaos: true, production: false, kubernetes: { local: true, chaosNamespaces: ["bulwark-demo"], maxBlastRadius: 0.5 }, ...overrides }) as EnvironmentConfig;

function runContext(env: EnvironmentConfig = environment(), extra: Partial<RunContext> = {}): StepRunContext {
  const folder = mkdtempSync(join(tmpdir(), "bulwark-chaos-trigger-"));
  return {
    config: { experimentsDir: "test/unit/alert/no-experiments-folder", experiments, profiles: {} } as unknown as RunContext["config"],
    environmentName: "test",
    environment: env,
    estate: {} as RunContext["estate"],
    abortSignal: new AbortController().signal,
    log: () => undefined,
    runDirectory: { runId: "20260101-000000-alert-test", path: folder, file: (name: string) => join(folder, name) },
    collectSamples: () => Promise.reject(new Error("not used")),
    recordRequests: () => Promise.reject(new Error("not used")),
    ...extra,
  };
}

let previousAuditLog: string | undefined;
beforeEach(() => {
  previousAuditLog = process.env.BULWARK_AUDIT_LOG;
  process.env.BULWARK_AUDIT_LOG = join(mkdtempSync(join(tmpdir(), "bulwark-chaos-trigger-audit-")), "audit.jsonl");
});
afterEach(() => {
  if (previousAuditLog === undefined) delete process.env.BULWARK_AUDIT_LOG;
  else process.env.BULWARK_AUDIT_LOG = previousAuditLog;
});

describe("a chaos experiment as an alert trigger", () => {
  it("puts the demo fault in and takes it out at the instants the target reports, once, with its proof and cleanup as checks", async () => {
    const { target, switched } = fakeTarget();
    const context = runContext();
    const trigger = chaosExperimentTrigger({ experimentName: "errors", setup: {}, demoTarget: target, context, stepName: "alert-errors" });
    expect(trigger.description).toBe("chaos experiment errors: demo-fault errors 50 %");
    expect(trigger.expectedEffect).toEqual({ errorRate: 0.5, latencyMs: 0 });

    const startMs = await trigger.inject();
    expect(switched).toEqual([{ setting: { latencyMs: 0, errorRate: 0.5 }, atMs: startMs }]);
    const endMs = await trigger.remove();
    expect(switched[1]).toEqual({ setting: { latencyMs: 0, errorRate: 0 }, atMs: endMs });
    // Removing again changes nothing and reports the same instant.
    expect(await trigger.remove()).toBe(endMs);
    expect(switched).toHaveLength(2);

    const checks = trigger.checks!();
    expect(checks.map((check) => [check.name, check.kind, check.verdict])).toEqual([
      ["injection errors", "injection", "pass"],
      ["every fault removed, rollbacks done", "safety", "pass"],
    ]);
    expect(checks[0]!.reason).toMatch(/the demo target applied demo-fault errors 50 % at/);
    expect(trigger.timeline!().map((event) => event.event)).toEqual(["injection-confirmed"]);
    const journal = readFileSync(context.runDirectory.file(trigger.artifacts!.chaosJournal!), "utf8");
    expect(journal.trim().split("\n").map((line) => (JSON.parse(line) as { event: string }).event)).toEqual(["fault-injected", "injection-confirmed", "fault-removed"]);
    const audit = readFileSync(process.env.BULWARK_AUDIT_LOG!, "utf8").trim().split("\n").map((line) => JSON.parse(line) as { action: string; result: string });
    expect(audit.map((line) => `${line.action} ${line.result}`)).toEqual(["chaos demo-fault on started", "chaos demo-fault on succeeded", "chaos demo-fault off reverted"]);
  });

  it("a fault whose duration ends before the check is done is out at its duration; the window ends there", async () => {
    const { target, switched } = fakeTarget();
    const trigger = chaosExperimentTrigger({ experimentName: "short-errors", setup: {}, demoTarget: target, context: runContext(), stepName: "alert-short" });
    const startMs = await trigger.inject();
    await waitFor(() => switched.length === 2, { timeoutMs: 5_000, intervalMs: 20, description: "the fault's duration to end" });
    expect(switched[1]!.setting).toEqual({ latencyMs: 0, errorRate: 0 });
    expect(switched[1]!.atMs - startMs).toBeGreaterThanOrEqual(200);
    expect(await trigger.remove()).toBe(switched[1]!.atMs);
    expect(switched).toHaveLength(2);
  });

  it("parallel demo faults go in together: the window opens at the first, the load should see the strongest of each", async () => {
    const { target, switched } = fakeTarget();
    const trigger = chaosExperimentTrigger({ experimentName: "two-in-parallel", setup: {}, demoTarget: target, context: runContext(), stepName: "alert-both" });
    expect(trigger.expectedEffect).toEqual({ errorRate: 0.2, latencyMs: 300 });
    const startMs = await trigger.inject();
    expect(startMs).toBe(switched[0]!.atMs);
    expect(await trigger.remove()).toBe(Math.max(...switched.slice(2).map((entry) => entry.atMs)));
    expect(trigger.checks!().filter((check) => check.kind === "injection").map((check) => check.verdict)).toEqual(["pass", "pass"]);
  });

  it("an interrupted check still takes the fault out", async () => {
    const { target, switched } = fakeTarget();
    const abort = new AbortController();
    const trigger = chaosExperimentTrigger({ experimentName: "errors", setup: {}, demoTarget: target, context: runContext(environment(), { abortSignal: abort.signal }), stepName: "alert-aborted" });
    await trigger.inject();
    abort.abort("SIGINT");
    await trigger.remove();
    expect(switched.map((entry) => entry.setting.errorRate)).toEqual([0.5, 0]);
  });
});

describe("its guardrails refuse before anything is injected (exit 2, naming the field)", () => {
  const refusal = async (experiment: string, env: EnvironmentConfig, extra: Partial<RunContext> = {}) => {
    const error = await checkChaosTrigger(experiment, "alertChecks.x.trigger.chaos", runContext(env, extra)).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  };

  it("accepts a demo-fault experiment in an environment that allows chaos in its namespace", async () => {
    await expect(checkChaosTrigger("errors", "alertChecks.x.trigger.chaos", runContext())).resolves.toBeUndefined();
    await expect(checkChaosTrigger("two-in-parallel", "alertChecks.x.trigger.chaos", runContext())).resolves.toBeUndefined();
  });

  it("refuses an unknown experiment, faults in sequence, no allowChaos, a namespace outside the allow-list, an unconfirmed production environment", async () => {
    expect(await refusal("nope", environment())).toMatch(/^alertChecks\.x\.trigger\.chaos: unknown experiment 'nope' \(known: errors, short-errors, two-in-sequence, two-in-parallel; built-in: demo-latency, network-delay-demo, pod-failure-demo, pod-kill-demo\)$/);
    expect(await refusal("two-in-sequence", environment())).toMatch(/^alertChecks\.x\.trigger\.chaos: experiment 'two-in-sequence' has 2 faults in sequence; .*method\.parallel: true; nothing was injected$/);
    expect(await refusal("errors", environment({ allowChaos: false }))).toBe(
      "alertChecks.x.trigger.chaos: environment 'test' does not allow chaos (environments.test.allowChaos is false); nothing was injected",
    );
    expect(await refusal("errors", environment({ kubernetes: { local: true, chaosNamespaces: ["other"], maxBlastRadius: 0.5 } }))).toMatch(
      /^alertChecks\.x\.trigger\.chaos: experiments\.errors\.target\.namespace: namespace 'bulwark-demo' not allow-listed .*environments\.test\.kubernetes\.chaosNamespaces/,
    );
    expect(await refusal("errors", environment({ production: true }))).toMatch(/^alertChecks\.x\.trigger\.chaos: environment 'test' is production .*--confirm-production test/);
    await expect(checkChaosTrigger("errors", "alertChecks.x.trigger.chaos", runContext(environment({ production: true }), { confirmProduction: "test" }))).resolves.toBeUndefined();
    expect(await refusal("errors", environment({ demo: false }))).toMatch(/^alertChecks\.x\.trigger\.chaos: experiments\.errors\.method\.faults: demoFault switches the embedded demo target/);
  });
});
