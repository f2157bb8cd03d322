import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../../scripts/core/errors.ts";
import { createRunDirectory, type RunDirectory } from "../../scripts/core/run-directory.ts";
import type { StepResult } from "../../scripts/core/step-result.ts";
import type { BaseConfig } from "../../thresholds/schema.ts";
import type { PostgresContainers } from "../../scripts/core/postgres-container.ts";
import type { DrillsConfig } from "./definition.ts";
import { realClock, type Clock } from "../../scripts/core/clock.ts";
import { resolveTargets, type DrillDefinition } from "./definition.ts";
import { runDrill, type DrillHooks } from "./engine.ts";
import { toRunSummary, type DrillEvidence } from "./evidence.ts";
import { createKindRunner } from "./kinds/index.ts";
import { buildPlan, type DrillPlan } from "./plan.ts";
import { assertDestructionAllowed } from "./safety.ts";

export interface StartDrillRequest {
  config: BaseConfig & DrillsConfig;
  drill: string;
  environment: string;
  confirmDestroy: string | undefined;
  log: (line: string) => void;
  signal: AbortSignal;
  hooks?: DrillHooks;
  clock?: Clock;
  /** Where run directories go; reports/ (or $BULWARK_REPORTS_DIR) by default. */
  reportsRoot?: string;
  /** From the local estate, for drills on PostgreSQL containers. */
  postgresContainers?: PostgresContainers;
}

export function findDrill(config: BaseConfig & DrillsConfig, name: string): DrillDefinition {
  const definition = config.drills[name];
  if (!definition) {
    const known = Object.keys(config.drills);
    throw new UsageError(`unknown drill '${name}' (known: ${known.length ? known.join(", ") : "none; define one under drills in the config"})`);
  }
  return definition;
}

/** What `--dry-run` shows: the steps in order, the destructive one marked, and whether it would be allowed. */
export function planDrill(request: Omit<StartDrillRequest, "log" | "signal" | "hooks">): DrillPlan {
  const definition = findDrill(request.config, request.drill);
  const environment = request.config.environments[request.environment];
  if (!environment) throw new UsageError(`--env: unknown environment '${request.environment}'`);
  const runner = createKindRunner(definition, { runId: "dry-run", workDir: join(tmpdir(), "bulwark-drill-<run>"), clock: request.clock ?? realClock, log: () => undefined, signal: new AbortController().signal });
  return buildPlan({
    drill: request.drill,
    definition,
    environment: request.environment,
    destructiveAllowed: environment.allowDestructive,
    confirmed: request.confirmDestroy === request.environment,
    targets: resolveTargets(definition, request.config.recovery),
    kindPlan: runner.plan(),
  });
}

/**
 * Everything that makes a drill refuse to start (exit 2, nothing touched): unknown drill or environment,
 * destruction not allowed there or not confirmed, a data store URL variable that is not set. A gate
 * with drill steps calls it for each of them before running any step.
 */
export function assertDrillMayRun(request: Pick<StartDrillRequest, "config" | "drill" | "environment" | "confirmDestroy">): DrillDefinition {
  const definition = findDrill(request.config, request.drill);
  const environment = request.config.environments[request.environment];
  if (!environment) throw new UsageError(`--env: unknown environment '${request.environment}'`);
  assertDestructionAllowed({ drill: request.drill, environmentName: request.environment, allowDestructive: environment.allowDestructive, confirmDestroy: request.confirmDestroy });
  if ((definition.kind === "command" || definition.kind === "kubernetes") && definition.dataStore && !process.env[definition.dataStore.urlEnv]) {
    throw new UsageError(`drill ${request.drill}: dataStore.urlEnv names ${definition.dataStore.urlEnv}, which is not set`);
  }
  return definition;
}

/**
 * Checks the safety rails, then runs the drill and writes its evidence into a new run directory.
 * Throws UsageError (exit 2) before anything is started when destruction is not allowed or not confirmed.
 */
export async function startDrill(request: StartDrillRequest): Promise<{ evidence: DrillEvidence; directory: RunDirectory }> {
  const definition = assertDrillMayRun(request);
  const directory = await createRunDirectory("drill", request.drill, request.reportsRoot);
  const workDir = await mkdtemp(join(tmpdir(), "bulwark-drill-"));
  const clock = request.clock ?? realClock;
  const runner = createKindRunner(definition, { runId: directory.runId, workDir, clock, log: request.log, signal: request.signal, ...(request.postgresContainers ? { postgresContainers: request.postgresContainers } : {}) });
  try {
    const evidence = await runDrill({
      name: request.drill,
      definition,
      environment: request.environment,
      targets: resolveTargets(definition, request.config.recovery),
      runner,
      directory,
      clock,
      log: request.log,
      signal: request.signal,
      ...(request.hooks ? { hooks: request.hooks } : {}),
    });
    return { evidence, directory };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** The drill as one step of a gate run (kind "drill"), for `bulwark gate dr-quarterly`. */
export function drillStepResult(evidence: DrillEvidence): StepResult {
  const step = toRunSummary(evidence).steps[0];
  if (!step) throw new Error("a drill summary always has one step");
  return step;
}
