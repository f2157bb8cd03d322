import { drillKind } from "../../chaos/drills/kind.ts";
import { chaosKind } from "../../chaos/experiments/kind.ts";
import { alertKind } from "../kinds/alert/kind.ts";
import { alertRulesKind } from "../kinds/alert/rules-kind.ts";
import { loadKind } from "../kinds/load/kind.ts";
import { rolloutKind } from "../kinds/rollout/kind.ts";
import { scalingKind } from "../kinds/scaling/kind.ts";
import type { StepKind } from "../kinds/step-kind.ts";

/** Every step kind bulwark knows. Adding a kind: its folder, its StepKind, and one line here. */
export const builtInKinds: readonly StepKind[] = [loadKind, drillKind, alertKind, alertRulesKind, chaosKind, scalingKind, rolloutKind];
