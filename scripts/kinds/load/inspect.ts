import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunPlan } from "../../../thresholds/run-plan.ts";
import { ToolingError, UsageError } from "../../core/errors.ts";
import { exec } from "../../core/exec.ts";
import { scenarioBundlePath } from "./bundle.ts";
import type { EngineBinary } from "./engine-binary.ts";
import { engineErrorMessage, engineExit } from "./engine-process.ts";
import { scenarioEnvironment } from "./run-step.ts";

/**
 * Runs a bundled scenario's init context and option checks in the engine, with the plan it will get,
 * before anything starts: an unsupported module, an exception at load time or invalid options are bad
 * input (exit 2), not a failed step.
 */
export async function inspectScenario(engine: EngineBinary, plan: RunPlan, bundlePath = scenarioBundlePath(plan.scenario)): Promise<void> {
  const workDir = await mkdtemp(join(tmpdir(), "bulwark-inspect-"));
  try {
    const planPath = join(workDir, "plan.json");
    await writeFile(planPath, JSON.stringify(plan));
    const result = await exec(engine.path, ["inspect", bundlePath], { env: scenarioEnvironment(planPath, undefined) });
    if (result.code === engineExit.passed) return;
    const message = engineErrorMessage(result.stderr);
    if (result.code === engineExit.scriptError) throw new UsageError(`scenario ${plan.scenario}: ${message}`);
    throw new ToolingError(`the load engine could not inspect scenario ${plan.scenario} (exit ${result.code}): ${message}`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
