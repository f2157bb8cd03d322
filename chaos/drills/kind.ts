import { z } from "zod";
import type { PlannedStep, StepKind } from "../../scripts/kinds/step-kind.ts";
import { drillConfigShape, type DrillsConfig } from "./definition.ts";
import { drillHeadline } from "./evidence.ts";
import { assertDrillMayRun, drillStepResult, startDrill } from "./start-drill.ts";

const drillName = (step: PlannedStep): string => String(step.details.drill);

/** A restore drill step planned by name (for `bulwark drill` and suites). */
export function plannedDrillStep(stepName: string, drill: string): PlannedStep {
  return { kind: "drill", stepName, subject: drill, details: { drill } };
}

/** Restore drills: destroy, restore, and measure RTO and RPO from the outside. */
export const drillKind: StepKind = {
  name: "drill",
  suiteStepKey: "drill",
  description: "a restore drill: measured RTO and RPO, integrity checks, evidence for an auditor",
  configShape: drillConfigShape,
  suiteStepSchema: z.object({ drill: z.string().min(1).describe("restore drill (drills.<name>) run as one step") }).strict(),

  configErrors(config, suiteSteps) {
    const { drills } = config as unknown as DrillsConfig;
    return suiteSteps.flatMap(({ suite, index, step }) => (drills[String(step.drill)] ? [] : [`suites.${suite}.steps.${index}.drill: unknown drill '${String(step.drill)}'`]));
  },

  planSuiteStep(step) {
    const { kind, subject, details } = plannedDrillStep("", String(step.drill));
    return { kind, subject, details };
  },

  describe: (step) => `restore drill ${drillName(step)}`,

  async check(steps, context) {
    for (const step of steps) {
      assertDrillMayRun({ config: context.config as typeof context.config & DrillsConfig, drill: drillName(step), environment: context.environmentName, confirmDestroy: context.confirmDestroy });
    }
  },

  async prepare() {
    return { release: async () => {} };
  },

  async run(step, _prepared, context) {
    const needsContainers = (context.config as typeof context.config & DrillsConfig).drills[drillName(step)];
    const postgresContainers = needsContainers?.kind === "postgres-pitr" && needsContainers.runner === "container" ? await context.estate.postgresContainers() : undefined;
    // The drill's evidence folder sits inside the run directory.
    const { evidence, directory } = await startDrill({
      config: context.config as typeof context.config & DrillsConfig,
      drill: drillName(step),
      environment: context.environmentName,
      confirmDestroy: context.confirmDestroy,
      log: context.log,
      signal: context.abortSignal,
      reportsRoot: context.runDirectory.path,
      ...(postgresContainers ? { postgresContainers } : {}),
    });
    context.log(drillHeadline(evidence));
    context.log(`drill: evidence: ${directory.file("drill.md")}`);
    const result = drillStepResult(evidence);
    // The evidence folder's files, as paths in the run directory; "evidence" is the report a reviewer opens.
    const artifacts = Object.fromEntries(Object.entries(result.artifacts).map(([name, file]) => [name, `${directory.runId}/${file}`]));
    return { ...result, name: step.stepName, artifacts: { ...artifacts, evidence: `${directory.runId}/drill.md` } };
  },
};
