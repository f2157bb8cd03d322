import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { RunSummary, StepResult } from "../summary-schema.ts";
import { timeSeriesSchema, type TimeSeries } from "../timeseries/timeseries-schema.ts";
import { timeSeriesFileName } from "../timeseries/collector.ts";
import { comparisonFileName, type Comparison } from "../run-history/baseline.ts";

/**
 * A time window to shade on the charts: a chaos fault being injected, a drill phase (disaster, restore,
 * verification), a load phase. Chaos and drill steps write them to phases.json in the run directory.
 */
export const phaseSchema = z
  .object({
    name: z.string().min(1).describe("label shown on the band, e.g. 'pod-kill catalog' or 'restore'"),
    start: z.iso.datetime({ offset: true }),
    end: z.iso.datetime({ offset: true }),
    kind: z
      .enum(["fault", "drill", "load", "rollout", "rollback", "recovery", "other"])
      .default("other")
      .describe("fault: chaos injected; drill: a drill phase; load: a load phase; rollout / rollback: a Deployment changing; recovery: until the service is back"),
    step: z.string().optional().describe("step the phase belongs to; shown on every step's charts when absent"),
  })
  .strict();
export const phasesFileSchema = z.array(phaseSchema);
export type Phase = z.infer<typeof phaseSchema>;

/** Replica counts of one scaled workload over time, written by the HPA verifier to replicas.json. */
export const replicaTimelineSchema = z
  .object({
    target: z.string().min(1).describe("what scaled, e.g. 'deployment/catalog'"),
    samples: z.array(
      z
        .object({
          time: z.iso.datetime({ offset: true }),
          desired: z.number().int().min(0),
          ready: z.number().int().min(0),
        })
        .strict(),
    ),
    minReplicas: z.number().int().min(0).optional(),
    maxReplicas: z.number().int().min(0).optional(),
  })
  .strict();
export const replicasFileSchema = z.array(replicaTimelineSchema);
export type ReplicaTimeline = z.infer<typeof replicaTimelineSchema>;

export interface ReportInput {
  summary: RunSummary;
  /** Time series by step name. */
  timeSeries: Record<string, TimeSeries>;
  phases: Phase[];
  replicas: ReplicaTimeline[];
  comparison: Comparison | null;
  /** Optional inputs that were present but unreadable: shown in the report rather than failing it. */
  warnings: string[];
}

export const phasesFileName = "phases.json";
export const replicasFileName = "replicas.json";

/** Reads everything report.html shows from a run directory; only summary.json is required. */
export async function loadReportInput(runDir: string, summary: RunSummary): Promise<ReportInput> {
  const warnings: string[] = [];
  const readOptional = async <T>(name: string, schema: z.ZodType<T>): Promise<T | null> => {
    const path = join(runDir, name);
    if (!existsSync(path)) return null;
    try {
      const parsed = schema.safeParse(JSON.parse(await readFile(path, "utf8")));
      if (parsed.success) return parsed.data;
      const issue = parsed.error.issues[0];
      warnings.push(`${name} ignored: ${issue?.path.join(".") || "(top level)"}: ${issue?.message ?? "invalid"}`);
    } catch (error) {
      warnings.push(`${name} ignored: ${error instanceof Error ? error.message : String(error)}`);
    }
    return null;
  };

  const timeSeries: Record<string, TimeSeries> = {};
  for (const step of summary.steps) {
    const named = step.artifacts.timeseries;
    const candidates = named ? [named] : [timeSeriesFileName(step.name), ...(summary.steps.length === 1 ? [timeSeriesFileName()] : [])];
    for (const candidate of candidates) {
      const series = await readOptional(candidate, timeSeriesSchema);
      if (series) {
        timeSeries[step.name] = series;
        break;
      }
    }
  }

  const comparison = await readOptional(comparisonFileName, z.custom<Comparison>((value) => typeof value === "object" && value !== null && Array.isArray((value as Comparison).metrics)));
  return {
    summary,
    timeSeries,
    phases: withStepPhases((await readOptional(phasesFileName, phasesFileSchema)) ?? [], summary),
    replicas: (await readOptional(replicasFileName, replicasFileSchema)) ?? [],
    comparison,
    warnings,
  };
}

/** Step phases that report.html shades; before, after and whole-load windows are told in the timeline only. */
const shadedKinds: Partial<Record<NonNullable<StepResult["phases"]>[number]["kind"], Phase["kind"]>> = { fault: "fault", rollout: "rollout", rollback: "rollback", recovery: "recovery" };

/** The phases of phases.json plus those the steps carry in summary.json, each once. */
export function withStepPhases(fromFile: Phase[], summary: RunSummary): Phase[] {
  const phases = [...fromFile];
  const seen = new Set(phases.map((phase) => `${phase.step ?? ""}|${phase.name}|${Date.parse(phase.start)}|${Date.parse(phase.end)}`));
  for (const step of summary.steps) {
    for (const phase of step.phases ?? []) {
      const kind = shadedKinds[phase.kind];
      if (!kind) continue;
      const key = `${step.name}|${phase.name}|${Date.parse(phase.startedAt)}|${Date.parse(phase.endedAt)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      phases.push({ name: phase.name, start: phase.startedAt, end: phase.endedAt, kind, step: step.name });
    }
  }
  return phases;
}
