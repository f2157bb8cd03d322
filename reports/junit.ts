import type { Check, RunSummary, StepResult } from "./summary-schema.ts";

const escapeXml = (text: string): string =>
  text.replace(/[<>&"']/g, (char) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[char] ?? char);

/** How CI names a failed check, by what it checked. */
const failureTypes: Record<Check["kind"], string> = {
  threshold: "SloBreached",
  expectation: "SloBreached",
  hypothesis: "HypothesisDeviated",
  injection: "FaultNotInjected",
  safety: "SafetyLimitHit",
  scaling: "ScalingExpectationMissed",
  alert: "AlertBudgetMissed",
  rollout: "RolloutExpectationMissed",
  static: "StaticCheckFailed",
  drill: "RecoveryTargetMissed",
  regression: "Regression",
  generator: "GeneratorSaturated",
};

/**
 * Neither a pass nor a breach, so CI shows it as skipped: a baseline that could not be computed, or a
 * check that cannot apply here (the SLO during a rollout of simulated pods: reason "not applicable: ...").
 */
const skippedCheck = (check: Check): boolean => check.verdict === "no-data" && (check.kind === "regression" || check.reason.startsWith("not applicable"));

function checkCase(step: StepResult, check: Check): string {
  const attributes = `classname="${escapeXml(`${step.name}`)}" name="${escapeXml(check.name)}"`;
  if (check.verdict === "pass") return `    <testcase ${attributes}/>`;
  if (skippedCheck(check)) {
    return `    <testcase ${attributes}>\n      <skipped message="${escapeXml(check.reason)}"/>\n    </testcase>`;
  }
  // A saturated generator says nothing about the service: an error (the instrument), like exit code 3.
  if (check.kind === "generator") {
    return `    <testcase ${attributes}>\n      <error type="GeneratorSaturated" message="${escapeXml(check.reason)}">${escapeXml(check.reason)}</error>\n    </testcase>`;
  }
  const type = check.verdict === "no-data" ? "NoData" : failureTypes[check.kind];
  return `    <testcase ${attributes}>\n      <failure type="${type}" message="${escapeXml(check.reason)}">${escapeXml(`${check.metric ?? check.name} ${check.expression ?? ""}: ${check.reason}`)}</failure>\n    </testcase>`;
}

/** A step that could not finish is reported as an error, so CI does not mistake it for a clean pass. */
function completionCase(step: StepResult): string | null {
  if (step.verdict !== "error" && step.verdict !== "aborted") return null;
  const message = escapeXml(step.error ?? step.verdict);
  return `    <testcase classname="${escapeXml(step.name)}" name="step completed">\n      <error type="${step.verdict}" message="${message}">${message}</error>\n    </testcase>`;
}

const countsAsFailure = (check: Check): boolean => check.kind !== "generator" && (check.verdict === "fail" || (check.verdict === "no-data" && !skippedCheck(check)));
const countsAsError = (check: Check): boolean => check.kind === "generator" && check.verdict !== "pass";

/** One test case per threshold, grouped in one test suite per step. */
export function renderJunit(summary: RunSummary): string {
  const suites = summary.steps.map((step) => {
    const cases = [...step.checks.map((check) => checkCase(step, check)), completionCase(step)].filter((line): line is string => line !== null);
    const failures = step.checks.filter(countsAsFailure).length;
    const checkErrors = step.checks.filter(countsAsError).length;
    const skipped = step.checks.length - failures - checkErrors - step.checks.filter((check) => check.verdict === "pass").length;
    const errors = (step.verdict === "error" || step.verdict === "aborted" ? 1 : 0) + checkErrors;
    return `  <testsuite name="${escapeXml(`${summary.name}/${step.name}`)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${(step.durationMs / 1000).toFixed(3)}" timestamp="${step.startedAt}">\n${cases.join("\n")}\n  </testsuite>`;
  });
  const tests = summary.steps.reduce((total, step) => total + step.checks.length + (completionCase(step) ? 1 : 0), 0);
  const failures = summary.steps.reduce((total, step) => total + step.checks.filter(countsAsFailure).length, 0);
  const errors = summary.steps.reduce((total, step) => total + step.checks.filter(countsAsError).length + (completionCase(step) ? 1 : 0), 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="bulwark ${escapeXml(summary.kind)} ${escapeXml(summary.name)}" tests="${tests}" failures="${failures}" errors="${errors}" time="${(summary.durationMs / 1000).toFixed(3)}">\n${suites.join("\n")}\n</testsuites>\n`;
}
