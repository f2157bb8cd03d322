import type { Clock } from "../../scripts/core/clock.ts";
import type { PostgresContainers } from "../../scripts/core/postgres-container.ts";
import type { SqlEndpoint } from "./sql.ts";
import type { StepOutput } from "./steps.ts";

export interface RunnerContext {
  runId: string;
  /** Scratch folder of this drill (data directories, backups); removed at teardown. */
  workDir: string;
  clock: Clock;
  log: (line: string) => void;
  signal: AbortSignal;
  /** PostgreSQL containers from the local estate, for the container runner. */
  postgresContainers?: PostgresContainers;
}

/** Words for the dry-run plan and the evidence report. */
export interface KindPlan {
  where: string;
  setup: string[];
  backup?: string;
  disaster: string;
  restore: string;
  teardown: string[];
}

/** One built-in kind of drill: how to stand up, destroy and restore its data store or service. */
export interface KindRunner {
  plan(): KindPlan;
  /** The SQL data store the probes write to and read from, if the drill has one. */
  readonly sqlEndpoint: SqlEndpoint | null;
  /** Files or folders hooks and reviewers may want (archive, base backup). */
  readonly paths: Record<string, string>;
  setup(output: StepOutput): Promise<void>;
  /** After the reference data is loaded: take the backup the restore will use. */
  backup?(output: StepOutput): Promise<void>;
  disaster(output: StepOutput): Promise<void>;
  restore(output: StepOutput, signal: AbortSignal): Promise<void>;
  /** Tool and service versions for the evidence; never throws. */
  versions(): Promise<Record<string, string>>;
  teardown(output: StepOutput): Promise<void>;
}
