import { z } from "zod";
import { quoteName } from "../../core/quote-value.ts";
import { UsageError } from "../../core/errors.ts";
import type { StepResult } from "../../core/step-result.ts";
import type { BaseConfig } from "../../../thresholds/schema.ts";
import type { PlannedStep, PreparedKind, RunContext, StartedTarget, StepKind, StepRunContext } from "../step-kind.ts";
import { bundleScenarios } from "./bundle.ts";
import { ensureEngine, type EngineBinary } from "./engine-binary.ts";
import { inspectScenario } from "./inspect.ts";
import { buildRunPlan, chooseProfile } from "./plan.ts";
import { preflight } from "./preflight.ts";
import { runScenarioStep } from "./run-step.ts";
import { maxRunners } from "./runners.ts";
import { typeCheckScenarios } from "./typecheck.ts";
import { defaultRunnerJob, runnerJobRbacRules, runnerJobSchema, type RunnerJobSettings } from "./runner-job.ts";
import { kubeConfigFor } from "../kubernetes/cluster-access.ts";
import type { KubeConfig } from "@kubernetes/client-node";
import { projectTypeCheck } from "./project-typecheck.ts";
import { defaultScenariosDir, findScenario, useScenariosDir } from "./scenarios.ts";
import { hasUrlCredentials, splitTargetUrl } from "./target-url.ts";

/** Where a step's runners run: engine processes on this machine, or pods of an Indexed Job in the environment's cluster. */
export const runnersOnValues = ["local", "kubernetes"] as const;
export type RunnersOn = (typeof runnersOnValues)[number];

/** What a load step needs: its scenario and profile, and how many engine processes share its load, where. */
interface LoadDetails {
  scenario: string;
  profileName: string;
  runners?: number;
  runnersOn?: RunnersOn;
}

const details = (step: PlannedStep): LoadDetails => step.details as unknown as LoadDetails;

/** A load step planned from a scenario name and profile (for `bulwark run` and suites). */
export function plannedLoadStep(stepName: string, scenario: string, profileName: string, runners = 1, runnersOn: RunnersOn = "local"): PlannedStep {
  return {
    kind: "scenario",
    stepName,
    subject: scenario,
    details: { scenario, profileName, ...(runners > 1 ? { runners } : {}), ...(runnersOn !== "local" ? { runnersOn } : {}) } satisfies LoadDetails,
  };
}

/** `--runners-on local|kubernetes` (docs/distributed.md); a UsageError naming the flag otherwise. */
export function parseRunnersOn(text: string | undefined, label: string): RunnersOn {
  if (text === undefined) return "local";
  const value = text.trim();
  if ((runnersOnValues as readonly string[]).includes(value)) return value as RunnersOn;
  throw new UsageError(`${label}: ${quoteName(text)} is neither ${runnersOnValues.map((each) => `'${each}'`).join(" nor ")}`);
}

/** `--runners <n>`: engine processes for the step (docs/distributed.md); a UsageError naming the flag otherwise. */
export function parseRunners(text: string | undefined, label: string): number {
  if (text === undefined) return 1;
  const runners = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isInteger(runners) || runners < 1 || runners > maxRunners) throw new UsageError(`${label}: ${quoteName(text)} is not a whole number from 1 to ${maxRunners}`);
  return runners;
}

export interface PreparedLoad extends PreparedKind {
  engine: EngineBinary;
  /** The demo target this run started (environments with demo: true), with its fault switch. */
  demoTarget?: StartedTarget;
  /** Without credentials: it is written to every step's plan. */
  baseUrl: string;
  /** The Authorization header value, handed to the engine through its environment only. */
  authorization: string | undefined;
  /** The environment's cluster and the config's runnerJob, when a step runs its runners as a Job there. */
  runnerJob?: { kubeConfig: KubeConfig; settings: RunnerJobSettings };
}

const runsAsJob = (step: PlannedStep): boolean => details(step).runnersOn === "kubernetes";

/** The config's runnerJob, defaults filled in. */
const runnerJobOf = (config: Record<string, unknown>): RunnerJobSettings => (config.runnerJob as RunnerJobSettings | undefined) ?? defaultRunnerJob;

function bearerToken(context: RunContext): string | undefined {
  const auth = context.environment.auth;
  if (!auth) return undefined;
  const token = process.env[auth.bearerTokenEnv];
  if (!token) throw new UsageError(`environments.${context.environmentName}.auth.bearerTokenEnv: environment variable ${auth.bearerTokenEnv} is not set`);
  return token;
}

/** One Authorization header per target: credentials in its URL and a bearer token would compete. */
function checkOneCredential(context: RunContext): void {
  const [source, url] = context.targetOverride !== undefined ? ["--target", context.targetOverride] : [`environments.${context.environmentName}.baseUrl`, context.environment.baseUrl];
  if (url === undefined || usesDemo(context) || !hasUrlCredentials(url) || !context.environment.auth) return;
  throw new UsageError(`${source}: carries credentials, and environments.${context.environmentName}.auth.bearerTokenEnv gives a bearer token too: keep one of them`);
}

const usesDemo = (context: RunContext): boolean => context.targetOverride === undefined && context.environment.demo;

/**
 * What a step whose runners are pods needs before anything starts: a cluster in the environment, a target
 * the pods can reach (never the embedded demo target, which listens on this machine's loopback only), and
 * no credentials (they would have to travel in a Secret, which bulwark does not create yet).
 */
export function checkRunnerJob(context: RunContext): void {
  const where = "runnersOn: kubernetes";
  if (!context.environment.kubernetes) throw new UsageError(`environments.${context.environmentName}.kubernetes: required for ${where} (the cluster the runner pods run in)`);
  if (usesDemo(context)) throw new UsageError(`environments.${context.environmentName}.demo: ${where} cannot load the embedded demo target (it listens on this machine's loopback, which pods cannot reach): give a baseUrl or --target the pods reach`);
  if (context.environment.auth || hasUrlCredentials(context.targetOverride ?? context.environment.baseUrl ?? "")) {
    throw new UsageError(`environments.${context.environmentName}.auth: ${where} does not carry credentials to the runner pods yet; run this step with local runners`);
  }
}

/** Load steps: a k6-API scenario on bulwark's engine, judged by the SLO thresholds of its endpoints. */
export const loadKind: StepKind = {
  name: "scenario",
  suiteStepKey: "scenario",
  description: "a load scenario on the engine, judged by the SLO thresholds of the endpoints it calls",
  // Load goes over HTTP to the target; the Kubernetes API is asked only by a step whose runners are pods.
  rbac: [],
  stepRbac(step, config) {
    if (step.runnersOn !== "kubernetes") return [];
    const { namespace } = runnerJobOf(config);
    return runnerJobRbacRules.map((rule) => ({ ...rule, namespace }));
  },
  configShape: {
    scenariosDir: z.string().min(1).default(defaultScenariosDir).describe("folder of the project's scenarios, relative to the config file (bulwark's built-in scenarios are always there too)"),
    runnerJob: runnerJobSchema.optional().describe("where the runner pods of steps with runnersOn: \"kubernetes\" run (docs/distributed.md)"),
  },
  suiteStepSchema: z
    .object({
      scenario: z.string().min(1),
      profile: z.string().min(1).optional().describe("profile of this step; defaults to the suite's, then the scenario's"),
      runners: z.number().int().min(1).max(maxRunners).optional().describe("engine processes sharing the step's load as execution segments, merged into one verdict (docs/distributed.md)"),
      runnersOn: z.enum(runnersOnValues).optional().describe("local: engine processes on this machine; kubernetes: an Indexed Job of runner pods in the environment's cluster"),
    })
    .strict(),

  configErrors(config: BaseConfig, suiteSteps) {
    const errors: string[] = [];
    const { scenariosDir } = config as Record<string, unknown>;
    useScenariosDir(typeof scenariosDir === "string" ? scenariosDir : undefined);
    const endpointNames = new Set(config.endpoints.map((endpoint) => endpoint.name));
    for (const { suite, index, step } of suiteSteps) {
      const name = String(step.scenario);
      const scenario = findScenario(name);
      if (!scenario) errors.push(`suites.${suite}.steps.${index}.scenario: unknown scenario '${name}'`);
      if (typeof step.profile === "string" && !config.profiles[step.profile]) errors.push(`suites.${suite}.steps.${index}.profile: unknown profile '${step.profile}'`);
      for (const endpoint of scenario?.endpoints === "all" ? [] : (scenario?.endpoints ?? [])) {
        if (!endpointNames.has(endpoint)) errors.push(`suites.${suite}.steps.${index}.scenario: '${name}' needs endpoint '${endpoint}', which endpoints does not define`);
      }
    }
    return errors;
  },

  planSuiteStep(step, context) {
    const scenario = String(step.scenario);
    const suite = context.config.suites[context.suiteName];
    const profileName = chooseProfile({
      flag: context.profileFlag,
      environmentSuiteProfile: context.config.environments[context.environmentName]?.suites[context.suiteName]?.profile,
      stepProfile: typeof step.profile === "string" ? step.profile : undefined,
      suiteProfile: suite?.profile,
      scenario,
    });
    const runnersOn = step.runnersOn === "kubernetes" ? "kubernetes" : "local";
    const { kind, subject, details: stepDetails } = plannedLoadStep("", scenario, profileName, typeof step.runners === "number" ? step.runners : 1, runnersOn);
    return { kind, subject, details: stepDetails };
  },

  describe(step) {
    const { scenario, profileName, runners, runnersOn } = details(step);
    const where = runnersOn === "kubernetes" ? `, ${runners ?? 1} runner pod${(runners ?? 1) > 1 ? "s" : ""} (Indexed Job)` : runners ? `, ${runners} runners` : "";
    return `scenario ${scenario}, profile ${profileName}${where}`;
  },

  async check(steps, context) {
    for (const step of steps) {
      const { scenario, profileName } = details(step);
      if (!findScenario(scenario)) throw new UsageError(`unknown scenario '${scenario}'`);
      if (!context.config.profiles[profileName]) {
        throw new UsageError(`--profile: unknown profile '${profileName}' (known: ${Object.keys(context.config.profiles).join(", ")})`);
      }
    }
    if (!usesDemo(context) && !context.targetOverride && !context.environment.baseUrl) {
      throw new UsageError(`environments.${context.environmentName}.baseUrl: required for load steps (or pass --target)`);
    }
    bearerToken(context);
    checkOneCredential(context);
    if (steps.some(runsAsJob)) checkRunnerJob(context);
    // A type error in a scenario is exit 2 naming file:line, not a run whose checks fail (cached by content).
    await typeCheckScenarios(projectTypeCheck());
  },

  /**
   * The engine, the bundles (each inspected by the engine: a broken scenario is exit 2 before anything
   * starts), the demo target when the environment uses it, and a healthy target: or exit 3.
   */
  async prepare(steps, context): Promise<PreparedLoad> {
    const token = bearerToken(context);
    const engine = await ensureEngine(context.log);
    await bundleScenarios([...new Set(steps.map((step) => details(step).scenario))]);
    const provisionalUrl = splitTargetUrl(context.targetOverride ?? context.environment.baseUrl ?? "http://127.0.0.1").baseUrl;
    for (const step of steps) {
      const { scenario, profileName } = details(step);
      await inspectScenario(engine, buildRunPlan({ config: context.config, environmentName: context.environmentName, scenario, profileName, baseUrl: provisionalUrl, runId: "inspect" }));
    }
    const kubeConfig = steps.some(runsAsJob) ? await kubeConfigFor(context) : undefined;
    const demo = usesDemo(context) ? await context.estate.startDemoTarget() : undefined;
    if (demo) context.log(`bulwark: demo target listening on ${demo.baseUrl}`);
    const { baseUrl, authorization: urlCredentials } = splitTargetUrl(context.targetOverride ?? demo?.baseUrl ?? context.environment.baseUrl ?? "");
    const authorization = urlCredentials ?? (token ? `Bearer ${token}` : undefined);
    try {
      if (context.environment.healthPath) await preflight(baseUrl, context.environment.healthPath, authorization);
    } catch (error) {
      await demo?.stop();
      throw error;
    }
    return {
      engine,
      ...(demo ? { demoTarget: demo } : {}),
      baseUrl,
      authorization,
      ...(kubeConfig ? { runnerJob: { kubeConfig, settings: runnerJobOf(context.config) } } : {}),
      target: baseUrl,
      engineVersion: engine.version,
      release: async () => {
        await demo?.stop();
      },
    };
  },

  async run(step, prepared, context: StepRunContext): Promise<StepResult> {
    const load = prepared as PreparedLoad;
    const { scenario, profileName } = details(step);
    const plan = buildRunPlan({ config: context.config, environmentName: context.environmentName, scenario, profileName, baseUrl: load.baseUrl, runId: context.runDirectory.runId });
    return context.collectSamples(step.stepName, (extraEngineArgs) =>
      runScenarioStep({
        engine: load.engine,
        plan,
        stepName: step.stepName,
        runDirectory: context.runDirectory,
        abortSignal: context.abortSignal,
        extraEngineArgs,
        ...(details(step).runners ? { runners: details(step).runners } : {}),
        ...(runsAsJob(step) && load.runnerJob ? { runnerJob: load.runnerJob } : {}),
        ...(load.authorization ? { authorization: load.authorization } : {}),
      }),
    );
  },
};
