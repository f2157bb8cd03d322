// Restore drills: public names used by the CLI (`bulwark drill`) and by gates.
export { drillSchema, recoveryTargetsSchema, resolveTargets, type DrillDefinition, type RecoveryTargets } from "./definition.ts";
export { runDrill, type DrillHooks, type DrillHookContext, type RunDrillOptions } from "./engine.ts";
export { createKindRunner } from "./kinds/index.ts";
export { assertDestructionAllowed } from "./safety.ts";
export { buildPlan, formatPlan, type DrillPlan } from "./plan.ts";
export { realClock, type Clock } from "../../scripts/core/clock.ts";
export type { DrillEvidence } from "./evidence.ts";
export { startDrill, planDrill, findDrill, assertDrillMayRun, drillStepResult, type StartDrillRequest } from "./start-drill.ts";
