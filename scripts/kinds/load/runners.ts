import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { RunDirectory } from "../../core/run-directory.ts";
import { writeFileAtomic } from "../../core/write-atomic.ts";
import { engineExit, runEngine, type EngineOutcome } from "./engine-process.ts";
import { loadTotals, type EngineSummaryData } from "./engine-summary.ts";
import { mergeEngineSummaries } from "./merge-summaries.ts";

/** The most engine processes one step may split into (runner ids are 0..1023; this bounds a typo). */
export const maxRunners = 64;

/**
 * How long the runners get from their start to the shared start instant: the engine's start-up,
 * setup() (the health check) and the VUs' init contexts. A runner that misses it starts at once and logs
 * by how much (docs/distributed.md).
 */
export const startBarrierMs = 3_000;

/** "0,1/3,2/3,1": the boundaries of N equal segments, in k6's execution-segment-sequence notation. */
export function segmentSequence(runners: number): string {
  return Array.from({ length: runners + 1 }, (_, index) => (index === 0 ? "0" : index === runners ? "1" : `${index}/${runners}`)).join(",");
}

/** Runner index's segment of segmentSequence(runners): "1/3:2/3". */
export function segmentOf(index: number, runners: number): string {
  const points = segmentSequence(runners).split(",");
  return `${points[index]}:${points[index + 1]}`;
}

export interface RunnersInput {
  binary: string;
  runners: number;
  /** `run` arguments every runner gets, the bundle last. */
  args: string[];
  env: NodeJS.ProcessEnv;
  runDirectory: RunDirectory;
  stepName: string;
  abortSignal: AbortSignal;
  /** Where the merged summary goes (the step's engine-summary.json). */
  summaryPath: string;
}

export interface RunnersOutcome {
  /** One outcome for the step: the first runner's failure, else the worst threshold code; CPU summed. */
  outcome: EngineOutcome;
  /** The merged summary; null when a runner left none. */
  data: EngineSummaryData | null;
  /** The runners' own files, for the step's artifacts. */
  artifacts: Record<string, string>;
  /** Why the step has no result although no engine reported a failure (a runner pod that never ran). */
  error?: string;
  /** Each runner's own dropped iterations, by runner index (with the merged summary). */
  runnerDroppedIterations?: number[];
}

/** Each runner's dropped iterations, read from its own summary before the merge adds them up. */
export const droppedByRunner = (summaries: readonly EngineSummaryData[]): number[] => summaries.map((summary) => loadTotals(summary).droppedIterations);

export const judgedCodes: readonly (number | null)[] = [engineExit.passed, engineExit.thresholdsFailed, engineExit.thresholdsAborted];

/** The runners' outcomes as one step's: the first runner's failure, else the worst threshold code; CPU summed when every runner's is known. */
export function combineOutcomes(outcomes: readonly EngineOutcome[]): EngineOutcome {
  const failed = outcomes.find((outcome) => !judgedCodes.includes(outcome.exitCode));
  const cpu = outcomes.every((outcome) => outcome.cpuSeconds !== null) ? outcomes.reduce((total, outcome) => total + (outcome.cpuSeconds ?? 0), 0) : null;
  return {
    exitCode: failed?.exitCode ?? Math.max(...outcomes.map((each) => each.exitCode ?? 0)),
    aborted: outcomes.some((each) => each.aborted),
    log: (failed ?? outcomes[0]!).log,
    cpuSeconds: cpu,
  };
}

/**
 * Runs N engine processes on this machine, each its segment of one sequence from one shared start
 * instant, and merges their summaries into the step's (thresholds judged once on the whole).
 */
export async function runLocalRunners(input: RunnersInput): Promise<RunnersOutcome> {
  const { runners, runDirectory, stepName } = input;
  const sequence = segmentSequence(runners);
  const startAt = new Date(Date.now() + startBarrierMs).toISOString();
  const artifacts: Record<string, string> = {};
  const summaryFiles: string[] = [];
  const bundle = input.args.at(-1)!;
  const common = input.args.slice(0, -1);
  const outcomes = await Promise.all(
    Array.from({ length: runners }, (_, index) => {
      const summary = `${stepName}.runner-${index}.engine-summary.json`;
      const log = `${stepName}.runner-${index}.engine.log`;
      artifacts[`runner${index}Summary`] = summary;
      artifacts[`runner${index}Log`] = log;
      summaryFiles.push(runDirectory.file(summary));
      return runEngine({
        binary: input.binary,
        args: [
          "--summary-json", runDirectory.file(summary),
          "--summary-histograms",
          "--execution-segment", segmentOf(index, runners),
          "--execution-segment-sequence", sequence,
          "--start-at", startAt,
          "--runner-id", String(index),
          ...common,
          bundle,
        ],
        env: input.env,
        logPath: runDirectory.file(log),
        abortSignal: input.abortSignal,
      });
    }),
  );
  const outcome = combineOutcomes(outcomes);
  if (!summaryFiles.every((file) => existsSync(file))) return { outcome, data: null, artifacts };
  const summaries = await Promise.all(summaryFiles.map(async (file) => JSON.parse(await readFile(file, "utf8")) as EngineSummaryData));
  const data = mergeEngineSummaries(summaries);
  await writeFileAtomic(input.summaryPath, JSON.stringify(data));
  return { outcome, data, artifacts, runnerDroppedIterations: droppedByRunner(summaries) };
}
