import { hostname } from "node:os";
import { tail } from "../../../scripts/core/exec.ts";
import { durationMs, type CommandDrill } from "../definition.ts";
import type { KindPlan, KindRunner, RunnerContext } from "../kind-runner.ts";
import type { StepOutput } from "../steps.ts";
import { runShell } from "./shell.ts";

/** A team's own runbook: shell commands that set up, destroy and restore the service. */
export class CommandRunner implements KindRunner {
  readonly paths: Record<string, string> = {};
  readonly sqlEndpoint;

  constructor(
    private readonly definition: CommandDrill,
    private readonly context: RunnerContext,
  ) {
    const dataStore = definition.dataStore;
    this.sqlEndpoint = dataStore ? () => process.env[dataStore.urlEnv] ?? null : null;
  }

  plan(): KindPlan {
    const { commands } = this.definition;
    return {
      where: `runbook commands on ${hostname()}${this.definition.availabilityProbe.kind === "http" ? `, service ${this.definition.availabilityProbe.url}` : ""}`,
      setup: commands.setup ? [`run: ${commands.setup}`] : ["nothing to set up"],
      disaster: `run: ${commands.disaster}`,
      restore: `run: ${commands.restore}`,
      teardown: commands.teardown ? [`run: ${commands.teardown}`] : [],
    };
  }

  async setup(output: StepOutput): Promise<void> {
    if (this.definition.commands.setup) await this.#run("setup", this.definition.commands.setup, output);
  }

  async disaster(output: StepOutput): Promise<void> {
    await this.#run("disaster", this.definition.commands.disaster, output);
  }

  async restore(output: StepOutput, signal: AbortSignal): Promise<void> {
    await this.#run("restore", this.definition.commands.restore, output, signal);
  }

  async versions(): Promise<Record<string, string>> {
    return {};
  }

  async teardown(output: StepOutput): Promise<void> {
    if (this.definition.commands.teardown) await this.#run("teardown", this.definition.commands.teardown, output);
  }

  async #run(phase: string, command: string, output: StepOutput, signal: AbortSignal = this.context.signal): Promise<void> {
    const result = await runShell(command, {
      timeoutMs: durationMs(this.definition.commandTimeout),
      signal,
      env: { ...process.env, BULWARK_DRILL_RUN_ID: this.context.runId, BULWARK_DRILL_PHASE: phase, BULWARK_DRILL_WORK_DIR: this.context.workDir },
    });
    output.append(`$ ${command}`);
    output.append(tail(result.output, 60));
    if (result.timedOut) throw new Error(`${phase} command timed out after ${this.definition.commandTimeout}`);
    if (result.code !== 0) throw new Error(`${phase} command exited with ${result.code ?? result.signal}`);
  }
}
