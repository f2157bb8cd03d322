import { audit } from "../../scripts/core/audit-log.ts";
import { tail } from "../../scripts/core/exec.ts";
import { isoTime, type Clock } from "../../scripts/core/clock.ts";
import { errorText } from "./sql.ts";

export interface StepRecord {
  name: string;
  /** What the step does, in words a reviewer of the evidence understands. */
  action: string;
  destructive: boolean;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  result: "ok" | "failed";
  /** Tool output worth keeping (commands' stdout and stderr, server log tails), trimmed. */
  output: string;
  error?: string;
}

/** Collects the output a step wants in the evidence. */
export class StepOutput {
  readonly #parts: string[] = [];
  append(text: string): void {
    const trimmed = text.trimEnd();
    if (trimmed) this.#parts.push(trimmed);
  }
  toString(): string {
    return tail(this.#parts.join("\n"), 200);
  }
}

export interface StepContext {
  environment: string;
  runId: string;
  target: string;
  clock: Clock;
  log: (line: string) => void;
}

/** Runs the drill's steps one by one: times each, keeps its output and writes audit lines for it. */
export class StepLog {
  readonly records: StepRecord[] = [];

  constructor(private readonly context: StepContext) {}

  /** Runs `body`; rethrows its error after recording it. */
  async run<T>(name: string, action: string, options: { destructive?: boolean }, body: (output: StepOutput, startedAt: number) => Promise<T>): Promise<T> {
    const { clock, environment, runId, target } = this.context;
    const destructive = options.destructive ?? false;
    const output = new StepOutput();
    const started = clock.now();
    this.context.log(`drill: ${name}: ${action}`);
    if (destructive) await audit({ action: `drill.${name}`, target, environment, runId, result: "started", detail: action }, new Date(started));
    const finish = async (result: "ok" | "failed", error?: unknown) => {
      const finished = clock.now();
      const record: StepRecord = {
        name,
        action,
        destructive,
        startedAt: isoTime(started),
        finishedAt: isoTime(finished),
        durationMs: Math.round(finished - started),
        result,
        output: output.toString(),
        ...(error === undefined ? {} : { error: errorText(error) }),
      };
      this.records.push(record);
      await audit(
        { action: `drill.${name}`, target, environment, runId, result: result === "ok" ? "succeeded" : "failed", detail: error === undefined ? action : errorText(error) },
        new Date(finished),
      );
      this.context.log(`drill: ${name}: ${result === "ok" ? "done" : `FAILED: ${errorText(error)}`} (${record.durationMs} ms)`);
    };
    try {
      const value = await body(output, started);
      await finish("ok");
      return value;
    } catch (error) {
      await finish("failed", error);
      throw error;
    }
  }
}
