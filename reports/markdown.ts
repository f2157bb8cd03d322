import { checkCells, formatValue, generatorFigures } from "../scripts/core/format.ts";
import { checkVerdictLabel } from "../scripts/core/step-result.ts";
import { engineLabel, type RunSummary, type StepResult } from "./summary-schema.ts";

const verdictMark: Record<string, string> = { pass: "✅ pass", fail: "❌ fail", invalid: "🚫 invalid", "no-data": "⚠️ no data", aborted: "⏹ aborted", error: "💥 error" };

/** Table cells must not break the table. */
const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

function endpointTable(step: StepResult): string[] {
  if (!step.endpoints?.length) return [];
  const rows = step.endpoints.map((endpoint) => {
    const latency = endpoint.latencyMs;
    const ms = (value: number | undefined) => (value === undefined ? "–" : formatValue(value, "ms"));
    return `| ${endpoint.name} | ${endpoint.criticality} | ${endpoint.requests} | ${endpoint.ratePerSecond.toFixed(1)}/s | ${formatValue(endpoint.errorRate, "ratio")} | ${ms(latency?.p50)} | ${ms(latency?.p90)} | ${ms(latency?.p95)} | ${ms(latency?.p99)} | ${ms(latency?.max)} |`;
  });
  return [
    "",
    "| endpoint | criticality | requests | rate | errors | p50 | p90 | p95 | p99 | max |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows,
    "",
    "Percentiles: the engine's nearest-rank values over the whole step (HDR histogram, at most 0.1 % above the true value). Percentile checks are judged on exact counts of requests over the limit, which their reason gives.",
  ];
}

function generatorLine(generator: NonNullable<StepResult["generator"]>): string {
  return `${generatorFigures(generator)}${generator.saturated ? " · **saturated: the step is invalid**" : ""}`;
}

function checkTable(step: StepResult): string[] {
  if (step.checks.length === 0) return [];
  // Failures first: the reader of a red CI job wants the reason at the top.
  const ordered = [...step.checks].sort((a, b) => Number(a.verdict === "pass") - Number(b.verdict === "pass"));
  return [
    "",
    "| check | verdict | observed | limit | reason |",
    "|---|---|---:|---|---|",
    ...ordered.map((check) => {
      const { observed, limit } = checkCells(check);
      return `| ${cell(check.name)} | ${verdictMark[checkVerdictLabel(check)]} | ${observed} | ${cell(limit)} | ${cell(check.reason)} |`;
    }),
  ];
}

/** Windows of the load judged on their own (chaos, rollout, alert steps). */
function phaseTable(step: StepResult): string[] {
  if (!step.phases?.length) return [];
  return [
    "",
    "| phase | kind | from | to | duration |",
    "|---|---|---|---|---:|",
    ...step.phases.map((phase) => `| ${cell(phase.name)} | ${phase.kind} | ${phase.startedAt.slice(11, 23)} | ${phase.endedAt.slice(11, 23)} | ${((Date.parse(phase.endedAt) - Date.parse(phase.startedAt)) / 1000).toFixed(1)} s |`),
  ];
}

/** The step's dated events, with the time since the step started. */
function timelineTable(step: StepResult): string[] {
  if (!step.timeline?.length) return [];
  const start = Date.parse(step.startedAt);
  return [
    "",
    "| time (UTC) | since start | event | detail |",
    "|---|---:|---|---|",
    ...step.timeline.map((event) => `| ${event.at.slice(11, 23)} | +${((Date.parse(event.at) - start) / 1000).toFixed(1)} s | ${cell(event.event)} | ${cell(event.detail)} |`),
  ];
}

/** A summary fit for a CI job summary ($GITHUB_STEP_SUMMARY and alike). */
export function renderMarkdown(summary: RunSummary): string {
  const lines = [
    `# bulwark ${summary.kind} ${summary.name}: ${verdictMark[summary.verdict]}`,
    "",
    `Run \`${summary.runId}\` · environment \`${summary.environment}\` · target ${summary.target} · ${engineLabel(summary)} · commit ${summary.gitCommit?.slice(0, 12) ?? "–"} · exit code ${summary.exitCode}`,
    "",
    "| step | verdict | duration |",
    "|---|---|---:|",
    ...summary.steps.map((step) => `| ${step.name}${step.profile ? ` (${step.profile})` : ""} | ${verdictMark[step.verdict]} | ${(step.durationMs / 1000).toFixed(1)} s |`),
  ];
  for (const step of summary.steps) {
    lines.push("", `## ${step.name}: ${verdictMark[step.verdict]}`);
    if (step.error) lines.push("", `> ${step.error}`);
    if (step.generator) lines.push("", `Load generator: ${generatorLine(step.generator)}`);
    lines.push(...endpointTable(step), ...checkTable(step), ...phaseTable(step), ...timelineTable(step));
  }
  return lines.join("\n") + "\n";
}
