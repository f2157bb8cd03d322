import { statSync } from "node:fs";
import { dirname, isAbsolute, parse, relative } from "node:path";
import { z } from "zod";
import { ToolingError, UsageError } from "../../core/errors.ts";
import { quoteName } from "../../core/quote-value.ts";
import { projectPath, projectRoot } from "../../core/project-root.ts";
import type { Check } from "../../core/step-result.ts";
import type { MonitoringTools, PlannedStep, PreparedKind, RunContext, StepKind } from "../step-kind.ts";
import { withAlerts, type AlertRules } from "./definition.ts";
import { staticCheck, type StaticTool } from "./static-checks.ts";

const rulesName = (step: PlannedStep): string => String(step.details.rules);

/** A static rule check step planned by name (for `bulwark alert` and suites). */
export function plannedAlertRulesStep(stepName: string, rules: string): PlannedStep {
  return { kind: "alert-rules", stepName, subject: rules, details: { rules } };
}

function lookUp(context: RunContext, name: string): AlertRules {
  const { alertRules } = withAlerts(context.config);
  const rules = Object.hasOwn(alertRules, name) ? alertRules[name] : undefined;
  if (!rules) throw new UsageError(`alert: unknown alert rules ${quoteName(name)}`);
  return rules;
}

const resolveFile = (file: string): string => (isAbsolute(file) ? file : projectPath(file));
/** How a file is named in checks: as the config wrote it when inside the project. */
const displayName = (file: string): string => {
  const inside = relative(projectRoot(), resolveFile(file));
  return inside.startsWith("..") || isAbsolute(inside) ? resolveFile(file) : inside;
};

/** Why a rule, test or Alertmanager file cannot be checked (the tools read one regular file, mounted by its folder). */
function fileProblem(path: string): string | undefined {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return "not found";
  }
  if (!stats.isFile()) return "is not a regular file";
  if (dirname(path) === parse(path).root) return "is in the root folder; move it into a folder of its own (the tools mount the file's folder)";
  return undefined;
}

interface PreparedRules extends PreparedKind {
  tools: MonitoringTools;
}

/** Static checks of alerting: `promtool check rules`, `promtool test rules`, `amtool check-config`, each file a check. */
export const alertRulesKind: StepKind = {
  name: "alert-rules",
  suiteStepKey: "alertRules",
  description: "static alerting checks: promtool check rules, promtool test rules, amtool check-config",
  configShape: {},
  suiteStepSchema: z.object({ alertRules: z.string().min(1).describe("static rule checks (alertRules.<name>) run as one step") }).strict(),

  configErrors(config, suiteSteps) {
    const { alertRules, alertChecks } = withAlerts(config);
    const errors = suiteSteps.flatMap(({ suite, index, step }) => (Object.hasOwn(alertRules, String(step.alertRules)) ? [] : [`suites.${suite}.steps.${index}.alertRules: unknown alert rules ${quoteName(String(step.alertRules))}`]));
    for (const name of Object.keys(alertRules)) if (Object.hasOwn(alertChecks, name)) errors.push(`alertRules.${name}: also an alert check's name; \`bulwark alert ${name}\` must name one thing`);
    return errors;
  },

  planSuiteStep(step) {
    const { kind, subject, details } = plannedAlertRulesStep("", String(step.alertRules));
    return { kind, subject, details };
  },

  describe: (step) => `static alerting checks ${rulesName(step)}`,

  async check(steps, context) {
    for (const step of steps) {
      const rules = lookUp(context, rulesName(step));
      for (const key of ["ruleFiles", "ruleTests", "alertmanagerConfigs"] as const) {
        rules[key].forEach((file, index) => {
          const problem = fileProblem(resolveFile(file));
          if (problem) throw new UsageError(`alertRules.${rulesName(step)}.${key}.${index}: file ${JSON.stringify(file).slice(1, -1)} ${problem}`);
        });
      }
    }
  },

  async prepare(_steps, context): Promise<PreparedRules> {
    if (!context.estate.monitoringTools) throw new ToolingError("alert rules: promtool and amtool are not available here");
    return { tools: await context.estate.monitoringTools(), release: async () => {} };
  },

  async run(step, prepared, context) {
    const startedAt = new Date();
    const { tools } = prepared as PreparedRules;
    const rules = lookUp(context, rulesName(step));
    const checks: Check[] = [];
    const runTool = async (tool: StaticTool, file: string) => {
      const path = resolveFile(file);
      // A unit test reads the rule files it names: they are mounted too.
      const mounted = tool === "promtool test rules" ? [path, ...rules.ruleFiles.map(resolveFile)] : [path];
      const run = tool === "amtool check-config" ? await tools.amtool(["check-config", path], mounted) : await tools.promtool([...tool.split(" ").slice(1), path], mounted);
      const result = staticCheck(tool, path, displayName(file), run);
      context.log(`alert rules: ${result.verdict} ${result.name}${result.verdict === "fail" ? `: ${result.reason}` : ""}`);
      checks.push(result);
    };
    for (const file of rules.ruleFiles) await runTool("promtool check rules", file);
    for (const file of rules.ruleTests) await runTool("promtool test rules", file);
    for (const file of rules.alertmanagerConfigs) await runTool("amtool check-config", file);
    return {
      name: step.stepName,
      kind: "alert-rules",
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      verdict: checks.some((check) => check.verdict === "fail") ? "fail" : "pass",
      checks,
      artifacts: {},
    };
  },
};
