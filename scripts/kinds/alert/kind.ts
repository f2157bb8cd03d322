import { z } from "zod";
import { UsageError } from "../../core/errors.ts";
import { quoteName } from "../../core/quote-value.ts";
import { audit } from "../../core/audit-log.ts";
import type { Check, StepResult } from "../../core/step-result.ts";
import { waitFor } from "../../core/wait-for.ts";
import { writeFileAtomic } from "../../core/write-atomic.ts";
import type { PreparedLoad } from "../load/kind.ts";
import { checkLoads, prepareLoads, runLoadAlongside } from "../load/load-alongside.ts";
import { cutPhases, phaseForReport, phaseRequests } from "../load/phases.ts";
import { findScenario } from "../load/scenarios.ts";
import type { PlannedStep, PreparedKind, RunContext, StepKind, StepRunContext } from "../step-kind.ts";
import { alertConfigShape, budgetsOf, withAlerts, type AlertCheck } from "./definition.ts";
import { decompose, firingPartsMs, seconds } from "./decompose.ts";
import type { AlertFacts } from "./facts.ts";
import { impossibleBudget, judgeAlert, fireCheck } from "./judge.ts";
import { checkMonitoringTarget, monitoringEndpoints, preflightAlert, type CheckedAlert, type MonitoringEndpoints } from "./prepare.ts";
import { readStoredInstants } from "./stored.ts";
import { checkTrigger, prepareTrigger, triggerConfigErrors, triggerFor, type FaultTrigger, type PreparedTrigger } from "./trigger.ts";
import { AlertWatch } from "./watch.ts";
import { startWebhookListener, type WebhookListener } from "./webhook.ts";

/** The scrape job of the demo target in the local monitoring estate. */
export const demoScrapeJob = "demo";

const checkName = (step: PlannedStep): string => String(step.details.check);
const field = (name: string): string => `alertChecks.${name}`;

/** An alert check step planned by name (for `bulwark alert` and suites). */
export function plannedAlertStep(stepName: string, check: string): PlannedStep {
  return { kind: "alert", stepName, subject: check, details: { check } };
}

interface PreparedAlerts extends PreparedKind {
  load: PreparedLoad;
  endpoints: MonitoringEndpoints;
  checked: Map<string, CheckedAlert>;
  triggers: Map<string, PreparedTrigger>;
  webhook?: WebhookListener;
  scrapeJob?: string;
}

function lookUp(context: RunContext, name: string): AlertCheck {
  const check = Object.hasOwn(withAlerts(context.config).alertChecks, name) ? withAlerts(context.config).alertChecks[name] : undefined;
  if (!check) throw new UsageError(`alert: unknown alert check ${quoteName(name)}`);
  return check;
}

const needsAlertmanager = (check: AlertCheck): boolean => check.watch.includes("alertmanager") || check.notify !== undefined;

/** Alert checks: from an injected fault to the firing alert, its notification and its resolution, under load. */
export const alertKind: StepKind = {
  name: "alert",
  suiteStepKey: "alert",
  description: "an alert check: time from an injected fault to the firing alert and its notification, under load",
  configShape: alertConfigShape,
  suiteStepSchema: z.object({ alert: z.string().min(1).describe("alert check (alertChecks.<name>) run as one step") }).strict(),

  configErrors(config, suiteSteps) {
    const { alertChecks } = withAlerts(config);
    const errors = suiteSteps.flatMap(({ suite, index, step }) => (Object.hasOwn(alertChecks, String(step.alert)) ? [] : [`suites.${suite}.steps.${index}.alert: unknown alert check ${quoteName(String(step.alert))}`]));
    for (const [name, check] of Object.entries(alertChecks)) {
      if (!findScenario(check.load.scenario)) errors.push(`${field(name)}.load.scenario: unknown scenario ${quoteName(check.load.scenario)}`);
      if (!Object.hasOwn(config.profiles, check.load.profile)) errors.push(`${field(name)}.load.profile: unknown profile ${quoteName(check.load.profile)}`);
      errors.push(...triggerConfigErrors(check.trigger, `${field(name)}.trigger`, config));
    }
    return errors;
  },

  planSuiteStep(step) {
    const { kind, subject, details } = plannedAlertStep("", String(step.alert));
    return { kind, subject, details };
  },

  describe: (step) => `alert check ${checkName(step)}`,

  async check(steps, context) {
    for (const step of steps) {
      const check = lookUp(context, checkName(step));
      checkMonitoringTarget(context, field(checkName(step)));
      await checkTrigger(check.trigger, `${field(checkName(step))}.trigger`, context);
      if (check.notify && !context.environment.monitoring?.local && check.notify.webhookPort === undefined) {
        throw new UsageError(`${field(checkName(step))}.notify.webhookPort: needed outside the local monitoring estate (the port your Alertmanager's webhook receiver points at on 127.0.0.1)`);
      }
    }
    await checkLoads(steps.map((step) => lookUp(context, checkName(step)).load), context);
  },

  async prepare(steps, context): Promise<PreparedAlerts> {
    const checks = steps.map((step) => ({ name: checkName(step), check: lookUp(context, checkName(step)) }));
    // Everything that can refuse (monitoring unreachable, unknown alert) before the load engine or demo target starts.
    const endpoints = await monitoringEndpoints(context, checks.some(({ check }) => needsAlertmanager(check)));
    const checked = new Map<string, CheckedAlert>();
    for (const { name, check } of checks) checked.set(name, await preflightAlert(check, field(name), endpoints));
    const triggers = new Map<string, PreparedTrigger>();
    for (const { name, check } of checks) triggers.set(name, await prepareTrigger(check.trigger, context));
    const cleanups: (() => Promise<void>)[] = [];
    const release = async () => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    };
    try {
      const load = await prepareLoads(checks.map(({ check }) => check.load), context);
      cleanups.push(() => load.release());
      const prepared: PreparedAlerts = { load, endpoints, checked, triggers, release, ...(load.target ? { target: load.target } : {}), ...(load.engineVersion ? { engineVersion: load.engineVersion } : {}) };
      // The webhook port is the estate's one: holding it first keeps a second alert check from taking over the scrape target.
      const notifying = checks.find(({ check }) => check.notify);
      if (notifying) {
        const local = endpoints.local?.webhook;
        const port = local?.port ?? notifying.check.notify!.webhookPort!;
        const webhook = await startWebhookListener(port, local?.path ?? "/alerts");
        cleanups.push(() => webhook.close());
        prepared.webhook = webhook;
      }
      if (endpoints.local && load.demoTarget) {
        cleanups.push(await endpoints.local.scrape(demoScrapeJob, load.demoTarget.metricsUrl));
        prepared.scrapeJob = demoScrapeJob;
      }
      return prepared;
    } catch (error) {
      await release();
      throw error;
    }
  },

  run: (step, prepared, context) => runAlertCheck(step, prepared as PreparedAlerts, context),
};

async function runAlertCheck(step: PlannedStep, prepared: PreparedAlerts, context: StepRunContext): Promise<StepResult> {
  const name = checkName(step);
  const check = lookUp(context, name);
  const budgets = budgetsOf(check);
  const { rule, route } = prepared.checked.get(name)!;
  const startedAt = new Date();
  const facts: AlertFacts = {
    alert: check.alert,
    rule: { name: rule.name, group: rule.group, file: rule.file, query: rule.query, intervalSeconds: rule.intervalSeconds, forSeconds: rule.forSeconds },
    scrapeIntervalSeconds: prepared.scrapeJob ? await prepared.endpoints.prometheus.scrapeIntervalSeconds(prepared.scrapeJob) : null,
    groupWaitSeconds: route?.groupWaitSeconds ?? null,
    faultStartMs: 0,
    faultEndMs: null,
    observed: {},
    stored: {},
  };
  const base = { name: step.stepName, kind: "alert", startedAt: startedAt.toISOString() };
  const finish = (partial: Pick<StepResult, "verdict" | "checks"> & Partial<StepResult>): StepResult => ({ ...base, finishedAt: new Date().toISOString(), durationMs: Date.now() - startedAt.getTime(), artifacts: {}, ...partial });

  // A budget shorter than the rule's own `for` cannot be met: no fault, no load, a failed check that says why.
  if (impossibleBudget(facts, budgets)) {
    const fire = fireCheck(facts, budgets);
    context.log(`alert: ${fire.reason}`);
    return finish({ verdict: "fail", checks: [fire] });
  }

  const trigger = await triggerFor(check.trigger, `${field(name)}.trigger`, { prepared: prepared.triggers.get(name)!, demoTarget: prepared.load.demoTarget, context, stepName: step.stepName });
  const watch = new AlertWatch(check, { prometheus: prepared.endpoints.prometheus, ...(prepared.endpoints.alertmanager ? { alertmanager: prepared.endpoints.alertmanager } : {}), ...(prepared.webhook ? { webhook: prepared.webhook } : {}) }, context.log);
  const signal = context.abortSignal;

  let loadEnded = false;
  const alongside = await runLoadAlongside(step.stepName, check.load, prepared.load, context, async (running) => {
    void running.finished.then(() => (loadEnded = true));
    try {
      await waitForBaseline(prepared, running.live, signal);
      await watch.waitQuiet(Math.min(budgets.resolveWithinMs, 120_000), signal);
      if (loadEnded) throw new UsageError(`${field(name)}.load.profile: the load ended before the fault; choose a longer profile`);
      facts.faultStartMs = await inject(trigger, watch, context, step);
      await watch.waitFiring(facts.faultStartMs, facts.faultStartMs + Math.max(budgets.fireWithinMs, check.notify ? budgets.notifyWithinMs : 0) + 500, signal);
      facts.faultEndMs = await remove(trigger, watch, context, step);
      if (watch.observed.firingMs !== undefined) await watch.waitResolved(facts.faultStartMs, facts.faultEndMs, facts.faultEndMs + budgets.resolveWithinMs, signal);
    } finally {
      if (facts.faultStartMs > 0 && facts.faultEndMs === null) facts.faultEndMs = await remove(trigger, watch, context, step).catch(() => null);
      running.stop();
    }
  }).catch((error: unknown) => {
    if (signal.aborted) return null;
    throw error;
  });
  if (!alongside) return finish({ verdict: "aborted", error: "interrupted: the fault was removed", checks: trigger.checks?.() ?? [], timeline: [...watch.timeline, ...(trigger.timeline?.() ?? [])], artifacts: { ...trigger.artifacts } });

  facts.observed = watch.observed;
  if (watch.observed.pendingMs !== undefined || watch.observed.firingMs !== undefined) {
    facts.stored = await readStoredInstants(prepared.endpoints.prometheus, facts, watch.labels ?? { alertname: check.alert }, prepared.scrapeJob);
  }
  const loadSawIt = trigger.expectedEffect.errorRate > 0 || trigger.expectedEffect.latencyMs > 0 ? [injectionCheck(trigger, facts, alongside.requests)] : [];
  const checks = [...loadSawIt, ...(trigger.checks?.() ?? []), ...judgeAlert(facts, check, budgets)];
  const parts = decompose(facts);
  const file = `${step.stepName}-alert.json`;
  await writeFileAtomic(context.runDirectory.file(file), JSON.stringify({ check: name, trigger: trigger.description, budgets, facts, parts, firingPartsMs: firingPartsMs(parts) }, null, 2) + "\n");
  for (const part of parts) context.log(`alert: ${part.name} ${seconds(part.ms)} (${part.configured})`);

  const marks = facts.faultEndMs === null ? [] : [{ name: `fault:${trigger.description}`, kind: "fault" as const, startMs: facts.faultStartMs, endMs: facts.faultEndMs }];
  const load = alongside.load;
  return finish({
    verdict: checks.some((one) => one.verdict === "fail") ? "fail" : "pass",
    scenario: check.load.scenario,
    profile: check.load.profile,
    checks,
    ...(load.totals ? { totals: load.totals } : {}),
    ...(load.endpoints ? { endpoints: load.endpoints } : {}),
    phases: cutPhases(alongside.startedAtMs, alongside.endedAtMs, marks).map(phaseForReport),
    timeline: [...watch.timeline, ...(trigger.timeline?.() ?? [])].sort((a, b) => a.at.localeCompare(b.at)),
    series: [{ name: `${check.alert} (0 inactive, 1 pending, 2 firing)`, unit: "alert state", points: watch.series }],
    artifacts: { ...load.artifacts, ...trigger.artifacts, alert: file },
  });
}

/** The load has requests and the target was scraped twice since: the rule sees a baseline before the fault. */
async function waitForBaseline(prepared: PreparedAlerts, live: () => { durations: { count: number; timeMs: Float64Array } }, signal: AbortSignal): Promise<void> {
  const firstRequestMs = await waitFor(() => (live().durations.count > 0 ? live().durations.timeMs[0]! : undefined), { timeoutMs: 30_000, intervalMs: 200, signal, description: "the load's first requests" });
  const job = prepared.scrapeJob;
  if (!job) return;
  await waitFor(
    async () => {
      const series = await prepared.endpoints.prometheus.samplesSince(`up{job="${job}"}`, firstRequestMs);
      return series.reduce((count, one) => count + one.samples.length, 0) >= 2;
    },
    { timeoutMs: 30_000, intervalMs: 250, signal, description: `two scrapes of job ${job} with load` },
  );
}

async function inject(trigger: FaultTrigger, watch: AlertWatch, context: StepRunContext, step: PlannedStep): Promise<number> {
  await audit({ action: "alert-fault-inject", target: trigger.description, environment: context.environmentName, runId: context.runDirectory.runId, result: "started" });
  const atMs = await trigger.inject();
  await audit({ action: "alert-fault-inject", target: trigger.description, environment: context.environmentName, runId: context.runDirectory.runId, result: "succeeded", detail: step.stepName });
  watch.event(atMs, "fault-injected", trigger.description);
  context.log(`alert: fault injected (${trigger.description})`);
  return atMs;
}

async function remove(trigger: FaultTrigger, watch: AlertWatch, context: StepRunContext, step: PlannedStep): Promise<number> {
  const atMs = await trigger.remove();
  await audit({ action: "alert-fault-remove", target: trigger.description, environment: context.environmentName, runId: context.runDirectory.runId, result: "reverted", detail: step.stepName });
  watch.event(atMs, "fault-removed", trigger.description);
  context.log(`alert: fault removed`);
  return atMs;
}

/** Proof the fault took effect: requests of the load failed (or slowed) while it was on. */
function injectionCheck(trigger: FaultTrigger, facts: AlertFacts, requests: Parameters<typeof phaseRequests>[0]): Check {
  const window = { name: "fault", kind: "fault" as const, startMs: facts.faultStartMs, endMs: facts.faultEndMs ?? Date.now() };
  const during = phaseRequests(requests, window);
  if (trigger.expectedEffect.errorRate > 0) {
    return {
      name: `the load saw the fault (${trigger.description})`,
      kind: "injection",
      observed: during.failures,
      limit: 1,
      unit: "count",
      verdict: during.failures > 0 ? "pass" : "fail",
      reason: `${during.failures} of ${during.requests} requests failed while the fault was on`,
    };
  }
  const slowed = during.durationsMs.filter((ms) => ms >= trigger.expectedEffect.latencyMs).length;
  return {
    name: `the load saw the fault (${trigger.description})`,
    kind: "injection",
    observed: slowed,
    limit: 1,
    unit: "count",
    verdict: slowed > 0 ? "pass" : "fail",
    reason: `${slowed} of ${during.requests} requests took ${trigger.expectedEffect.latencyMs} ms or more while the fault was on`,
  };
}
