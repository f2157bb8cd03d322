import { drillKind } from "../../chaos/drills/kind.ts";
import { loadKind } from "../kinds/load/kind.ts";
import type { StepKind } from "../kinds/step-kind.ts";

/** Every step kind bulwark knows. Adding a kind: its folder, its StepKind, and one line here. */
export const builtInKinds: readonly StepKind[] = [loadKind, drillKind];
