import type { z } from "zod";
import type { PostgresContainers } from "../core/postgres-container.ts";
import type { RunDirectory } from "../core/run-directory.ts";
import type { RequestSamples } from "../core/request-samples.ts";
import type { StepResult } from "../core/step-result.ts";
import type { BaseConfig, EnvironmentConfig } from "../../thresholds/schema.ts";

/** A step of a run, planned: its kind's name, a unique name in the run, and what the kind needs. */
export interface PlannedStep {
  kind: string;
  stepName: string;
  /** Scenario, drill, experiment... the thing this step runs, for messages and run ids. */
  subject: string;
  /** The kind's own fields (profile, options), opaque to everything but the kind. */
  details: Record<string, unknown>;
}

/** The demo target's runtime fault switch: what it adds to every /api request from the instant it is set. */
export interface DemoFaultSetting {
  latencyMs: number;
  /** Share of /api requests answered 500, spread evenly. */
  errorRate: number;
}

/** A running demo target the estate started for this run. */
export interface StartedTarget {
  baseUrl: string;
  /** Prometheus text exposition of the target's requests (by route and status) and latency histogram. */
  metricsUrl: string;
  /**
   * Switches the target's faults at runtime through its loopback control endpoint; resolves with the
   * instant the target applied the setting (the target's own clock, the same host as bulwark's).
   */
  switchFaults(setting: DemoFaultSetting): Promise<Date>;
  stop(): Promise<void>;
}

/** The local test cluster (real API server, KWOK nodes, Chaos Mesh controller), when it runs. */
export interface LocalCluster {
  kubeconfig: string;
}

/** The local monitoring estate: Prometheus scraping loopback targets, Alertmanager routing to bulwark. */
export interface LocalMonitoring {
  prometheusUrl: string;
  alertmanagerUrl: string;
  /** Makes Prometheus scrape `metricsUrl` (a loopback URL) as job `job` until the returned function is called. */
  scrape(job: string, metricsUrl: string): Promise<() => Promise<void>>;
  /** Where Alertmanager's receiver sends its notifications: bulwark listens on 127.0.0.1:port+path during an alert check. */
  webhook?: { port: number; path: string; receiver: string };
}

/** A run of promtool or amtool (docs/alerts.md "Static checks"). */
export interface MonitoringToolRun {
  command: string;
  code: number;
  output: string;
}

/** promtool and amtool, run from the estate's images with `files` readable at their own paths. */
export interface MonitoringTools {
  promtool(args: readonly string[], files: readonly string[]): Promise<MonitoringToolRun>;
  amtool(args: readonly string[], files: readonly string[]): Promise<MonitoringToolRun>;
}

/**
 * What the local estate can do for a kind, handed in by the CLI so that kinds never import the estate
 * (docs/architecture.md): start the embedded demo target, start PostgreSQL containers for a drill.
 */
export interface Estate {
  startDemoTarget(): Promise<StartedTarget>;
  /** Loaded on demand: a drill asks for "a PostgreSQL I can start" (see chaos/drills/kinds/). */
  postgresContainers(): Promise<PostgresContainers>;
  /** The running local test cluster; a ToolingError naming `bulwark local up --cluster` when it is not running. */
  localCluster(): Promise<LocalCluster>;
  /** The running local monitoring estate; a ToolingError naming `bulwark local up --monitoring` when it is not running. */
  localMonitoring(): Promise<LocalMonitoring>;
  /** promtool and amtool for static checks of rule files and Alertmanager configs (ToolingError without Docker). */
  monitoringTools?(): Promise<MonitoringTools>;
}

/** The run as every kind sees it. */
export interface RunContext {
  /** The whole validated config; a kind reads its own slice with its configShape's keys. */
  config: BaseConfig & Record<string, unknown>;
  environmentName: string;
  environment: EnvironmentConfig;
  /** --target: the service under test instead of the environment's (never the demo). */
  targetOverride?: string;
  /** --confirm-destroy: the environment's name again, for destructive steps. */
  confirmDestroy?: string;
  /** --confirm-production: the environment's name again, for chaos (and rollout) steps in a production environment. */
  confirmProduction?: string;
  estate: Estate;
  abortSignal: AbortSignal;
  log: (line: string) => void;
}

export interface StepRunContext extends RunContext {
  runDirectory: RunDirectory;
  /**
   * Collects a load engine's sample stream into the step's per-second time series (a reports concern
   * handed down by the CLI): `run` gets the engine arguments that point the stream at the collector.
   */
  collectSamples(stepName: string, run: (engineArgs: string[]) => Promise<StepResult>): Promise<StepResult>;
  /**
   * Like collectSamples, and also keeps every request's end time, duration and failure, so that a kind
   * can judge windows of the load (phases) exactly after it ran (scripts/kinds/load/phases.ts). `live`
   * returns the requests recorded so far (the engine's stream arrives in batches, about a second late),
   * for safety limits that must act while the load runs.
   */
  recordRequests<T>(
    stepName: string,
    run: (engineArgs: string[], live: () => RequestSamples) => Promise<T>,
  ): Promise<{ value: T; requests: RequestSamples; timeseriesFile: string | null }>;
}

/** What a kind made ready for a run's steps of its kind; released when the run ends. */
export interface PreparedKind {
  /** The service under test, for summary.json (no credentials). */
  target?: string;
  /** The load engine that ran the steps, for summary.json. */
  engineVersion?: string;
  release(): Promise<void>;
}

/** How a suite step of this kind is planned: the suite, the step's own entry and the --profile flag. */
export interface SuiteStepContext {
  config: BaseConfig & Record<string, unknown>;
  suiteName: string;
  environmentName: string;
  profileFlag?: string;
}

/**
 * One Kubernetes RBAC rule a step of a kind needs in the namespace it runs in, when bulwark runs inside
 * the cluster (`bulwark deploy manifests` grants the union over a suite's kinds, and nothing else).
 */
export interface RbacRule {
  apiGroups: readonly string[];
  resources: readonly string[];
  verbs: readonly string[];
}

/** A rule one step needs, in `namespace` when that is not the namespace the gate itself runs in. */
export interface StepRbacRule extends RbacRule {
  namespace?: string;
}

/**
 * One kind of step: load (a scenario on the engine), drill, and the chaos, scaling, alert and rollout
 * checks to come. Adding a kind is a folder, this interface and one line in the registry.
 */
export interface StepKind {
  /** The step's `kind` in summary.json, e.g. "scenario" or "drill". */
  readonly name: string;
  /** The key that marks a suite step of this kind: {"scenario": "smoke"}, {"drill": "postgres-pitr"}. */
  readonly suiteStepKey: string;
  /** One line for `bulwark list` and --help. */
  readonly description: string;
  /** Config keys this kind owns; the registry adds them to the config schema. */
  readonly configShape: z.ZodRawShape;
  /** How a suite step of this kind is written (an object with suiteStepKey). */
  readonly suiteStepSchema: z.ZodType;
  /** Cross-references in the whole config (names that must exist): `path.to.key: message` lines. */
  configErrors(config: BaseConfig & Record<string, unknown>, suiteSteps: readonly { suite: string; index: number; step: Record<string, unknown> }[]): string[];
  /** A suite step of this kind, planned (stepName is filled in by the caller). */
  planSuiteStep(step: Record<string, unknown>, context: SuiteStepContext): Omit<PlannedStep, "stepName">;
  /** One line saying what the step does, for progress output. */
  describe(step: PlannedStep): string;
  /** Up-front validation and guardrails: throws a UsageError (exit 2) before anything starts. */
  check(steps: readonly PlannedStep[], context: RunContext): Promise<void>;
  /** Tools and targets for this run's steps of the kind: throws a ToolingError (exit 3) naming the fix. */
  prepare(steps: readonly PlannedStep[], context: RunContext): Promise<PreparedKind>;
  /** Runs one step; honours context.abortSignal; never throws for a failed check (that is a verdict). */
  run(step: PlannedStep, prepared: PreparedKind, context: StepRunContext): Promise<StepResult>;
  /** Kubernetes permissions a step of this kind needs in the cluster (docs/distributed.md); absent: none. */
  readonly rbac?: readonly RbacRule[];
  /** Permissions one suite step needs beyond `rbac`, decided by its options and the config; absent: none. */
  stepRbac?(step: Record<string, unknown>, config: BaseConfig & Record<string, unknown>): readonly StepRbacRule[];
}
