import { planEnvVar, type RunPlan } from "../../thresholds/run-plan.ts";

/** The run plan written by the CLI. open() only works in the init context, which is where this runs. */
export function loadPlan(): RunPlan {
  const path = __ENV[planEnvVar];
  if (!path) throw new Error(`${planEnvVar} is not set: run scenarios through 'bulwark run <scenario>'`);
  return JSON.parse(open(path)) as RunPlan;
}
