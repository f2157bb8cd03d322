import { writeFileAtomic } from "../../scripts/core/write-atomic.ts";
import type { Check, StepResult, Verdict } from "../../scripts/core/step-result.ts";
import type { RunDirectory } from "../../scripts/core/run-directory.ts";
import type { DrillKind } from "./definition.ts";
import type { IntegrityCheck } from "./integrity.ts";
import { formatRanges, toRanges, type LedgerEntry } from "./ledger.ts";
import { formatMs } from "../../scripts/core/format.ts";
import type { ProbeSample } from "./recovery-metrics.ts";
import type { StepRecord } from "./steps.ts";

export const drillEvidenceVersion = 1;

/** Everything a reviewer of a disaster-recovery exercise needs, in drill.json; drill.md says the same in prose. */
export interface DrillEvidence {
  evidenceVersion: typeof drillEvidenceVersion;
  runId: string;
  drill: string;
  kind: DrillKind;
  description: string;
  who: string;
  where: { environment: string; host: string; target: string };
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  gitCommit: string | null;
  versions: Record<string, string>;
  targets: { rtoMs: number; rpoMs: number };
  timeline: { disasterAt: string | null; disasterFinishedAt: string | null; restoreStartedAt: string | null; restoreFinishedAt: string | null; firstSuccessAt: string | null };
  rto: { ms: number | null; targetMs: number; precisionMs: number; verdict: "pass" | "fail" | "no-data"; reason: string };
  rpo: {
    ms: number | null;
    targetMs: number;
    precisionMs: number | null;
    lowerBound: boolean;
    verdict: "pass" | "fail" | "no-data";
    reason: string;
    acknowledgedWrites: number;
    survivingWrites: number;
    newestSurvivingSeq: number | null;
    lostSeqs: number[];
    unacknowledgedSurvivors: number[];
  };
  integrity: IntegrityCheck[];
  probes: {
    write: { intervalMs: number; attempts: number; acknowledged: number; failed: number } | null;
    availability: { kind: "http" | "sql"; intervalMs: number; samples: number; failures: number };
  };
  steps: StepRecord[];
  checks: Check[];
  verdict: Verdict;
  exitCode: number;
  error?: string;
  artifacts: Record<string, string>;
}

export async function writeEvidence(directory: RunDirectory, evidence: DrillEvidence, raw: { ledger: readonly LedgerEntry[]; samples: readonly ProbeSample[] }): Promise<void> {
  await writeFileAtomic(directory.file("ledger.jsonl"), raw.ledger.map((entry) => JSON.stringify(entry)).join("\n") + (raw.ledger.length ? "\n" : ""));
  await writeFileAtomic(directory.file("availability.jsonl"), raw.samples.map((sample) => JSON.stringify(sample)).join("\n") + (raw.samples.length ? "\n" : ""));
  await writeFileAtomic(directory.file("summary.json"), JSON.stringify(toRunSummary(evidence), null, 2) + "\n");
  await writeFileAtomic(directory.file("drill.md"), renderMarkdown(evidence));
  // drill.json last: its presence means the evidence is complete.
  await writeFileAtomic(directory.file("drill.json"), JSON.stringify(evidence, null, 2) + "\n");
}

/** summary.json of the evidence folder: the drill as a one-step run, in version 1 of the run summary (reports/summary-schema.ts). */
export interface DrillRunSummary {
  schemaVersion: 1;
  runId: string;
  kind: "drill";
  name: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  gitCommit: string | null;
  environment: string;
  target: string;
  tool: { name: "bulwark"; version: string };
  engineVersion: null;
  verdict: Verdict;
  exitCode: number;
  steps: StepResult[];
}

/** The drill as one step of the common run summary, so gates and history read drills like any other run. */
export function toRunSummary(evidence: DrillEvidence): DrillRunSummary {
  return {
    schemaVersion: 1,
    runId: evidence.runId,
    kind: "drill",
    name: evidence.drill,
    startedAt: evidence.startedAt,
    finishedAt: evidence.finishedAt,
    durationMs: evidence.durationMs,
    gitCommit: evidence.gitCommit,
    environment: evidence.where.environment,
    target: evidence.where.target,
    tool: { name: "bulwark", version: evidence.versions.bulwark ?? "unknown" },
    engineVersion: null,
    verdict: evidence.verdict,
    exitCode: evidence.exitCode,
    steps: [
      {
        name: `drill ${evidence.drill}`,
        kind: "drill",
        startedAt: evidence.startedAt,
        finishedAt: evidence.finishedAt,
        durationMs: evidence.durationMs,
        verdict: evidence.verdict,
        ...(evidence.error ? { error: evidence.error } : {}),
        checks: evidence.checks,
        artifacts: evidence.artifacts,
      },
    ],
  };
}

/** One line for a terminal: the verdict, RTO and RPO as measured, the acknowledged writes lost. */
export function drillHeadline(evidence: DrillEvidence): string {
  const measured = (ms: number | null) => (ms === null ? "not measured" : formatMs(ms));
  const lost = evidence.rpo.lostSeqs.length;
  const writes = evidence.probes.write ? `, ${lost} acknowledged write${lost === 1 ? "" : "s"} lost` : "";
  return `drill ${evidence.drill}: ${evidence.verdict} (RTO ${measured(evidence.rto.ms)}, RPO ${measured(evidence.rpo.ms)}${writes})${evidence.error ? `: ${evidence.error}` : ""}`;
}

const mark = (verdict: string): string => (verdict === "pass" ? "PASS" : verdict === "no-data" ? "NO DATA" : "FAIL");
const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function renderMarkdown(evidence: DrillEvidence): string {
  const { rto, rpo } = evidence;
  const lines: string[] = [];
  lines.push(`# Restore drill \`${evidence.drill}\`: ${mark(evidence.verdict === "pass" ? "pass" : "fail")}${evidence.verdict === "pass" || evidence.verdict === "fail" ? "" : ` (${evidence.verdict})`}`);
  lines.push("");
  if (evidence.description) lines.push(evidence.description, "");
  if (evidence.error) lines.push(`**Stopped early:** ${evidence.error}`, "");
  lines.push("| | |", "|---|---|");
  lines.push(`| Run | \`${evidence.runId}\` |`);
  lines.push(`| Who | ${cell(evidence.who)} |`);
  lines.push(`| When | ${evidence.startedAt} to ${evidence.finishedAt} (${formatMs(evidence.durationMs)}) |`);
  lines.push(`| Where | environment \`${evidence.where.environment}\` on ${cell(evidence.where.host)}: ${cell(evidence.where.target)} |`);
  lines.push(`| Kind | ${evidence.kind} |`);
  lines.push(`| Git commit | ${evidence.gitCommit ?? "unknown"} |`);
  lines.push(`| Verdict | **${evidence.verdict}** (exit ${evidence.exitCode}) |`);
  lines.push("");
  lines.push("## Recovery objectives", "");
  lines.push("| Objective | Measured | Target | Precision | Verdict |", "|---|---|---|---|---|");
  lines.push(`| RTO | ${rto.ms === null ? "not measured" : formatMs(rto.ms)} | < ${formatMs(rto.targetMs)} | probe every ${formatMs(rto.precisionMs)} | ${mark(rto.verdict)} |`);
  lines.push(
    `| RPO | ${rpo.ms === null ? "not measured" : `${rpo.lowerBound ? "at least " : ""}${formatMs(rpo.ms)}`} | < ${formatMs(rpo.targetMs)} | ${rpo.precisionMs === null ? "-" : `write every ${formatMs(rpo.precisionMs)}`} | ${mark(rpo.verdict)} |`,
  );
  lines.push("");
  lines.push(`- RTO: ${rto.reason}.`);
  lines.push(`- RPO: ${rpo.reason}.`);
  if (evidence.probes.write) {
    lines.push(`- Acknowledged writes before the disaster: ${rpo.acknowledgedWrites}; survived: ${rpo.survivingWrites}; newest survivor: ${rpo.newestSurvivingSeq ?? "none"}.`);
    lines.push(`- Lost sequence numbers (${rpo.lostSeqs.length}): ${formatRanges(toRanges(rpo.lostSeqs))}.`);
    if (rpo.unacknowledgedSurvivors.length > 0) lines.push(`- Survived although never acknowledged: ${formatRanges(toRanges(rpo.unacknowledgedSurvivors))}.`);
  }
  lines.push("");
  lines.push("## Timeline", "");
  lines.push(`- Disaster: ${evidence.timeline.disasterAt ?? "not reached"}${evidence.timeline.disasterFinishedAt ? ` to ${evidence.timeline.disasterFinishedAt}` : ""}`);
  lines.push(`- Restore: ${evidence.timeline.restoreStartedAt ?? "not started"} to ${evidence.timeline.restoreFinishedAt ?? "-"}`);
  lines.push(`- First successful availability check begun after the disaster had finished: ${evidence.timeline.firstSuccessAt ?? "none"}`);
  lines.push("");
  lines.push("## Integrity", "");
  if (evidence.integrity.length === 0) lines.push("No integrity checks ran (no data store reached after the restore, or none defined).");
  else {
    lines.push("| Check | Expected | Observed | Verdict | Reason |", "|---|---|---|---|---|");
    for (const check of evidence.integrity) lines.push(`| ${check.name} | ${cell(String(check.expected))} | ${cell(String(check.observed ?? "-"))} | ${mark(check.verdict)} | ${cell(check.reason)} |`);
  }
  lines.push("");
  lines.push("## Steps", "");
  lines.push("| Step | Action | Start | End | Duration | Result |", "|---|---|---|---|---|---|");
  for (const step of evidence.steps) {
    lines.push(`| ${step.name}${step.destructive ? " (destructive)" : ""} | ${cell(step.action)} | ${step.startedAt} | ${step.finishedAt} | ${formatMs(step.durationMs)} | ${step.result === "ok" ? "ok" : `FAILED: ${cell(step.error ?? "")}`} |`);
  }
  for (const step of evidence.steps) {
    if (!step.output) continue;
    lines.push("", `### Output of ${step.name}`, "", "```text", step.output.replace(/```/g, "ʼʼʼ"), "```");
  }
  lines.push("");
  lines.push("## Probes", "");
  const write = evidence.probes.write;
  lines.push(write ? `- Write probe: every ${write.intervalMs} ms; ${write.attempts} attempts, ${write.acknowledged} acknowledged, ${write.failed} failed.` : "- Write probe: none (RPO not measured).");
  const availability = evidence.probes.availability;
  lines.push(`- Availability probe: ${availability.kind} every ${availability.intervalMs} ms; ${availability.samples} checks, ${availability.failures} failed.`);
  lines.push("");
  lines.push("## Versions", "");
  for (const [name, version] of Object.entries(evidence.versions)) lines.push(`- ${name}: ${cell(version)}`);
  lines.push("");
  lines.push("## Files", "");
  for (const [name, file] of Object.entries(evidence.artifacts)) lines.push(`- ${name}: \`${file}\``);
  lines.push("");
  return lines.join("\n");
}
