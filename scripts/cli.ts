import { commands } from "./commands/index.ts";
import { parseCommandArgs, type Command } from "./commands/command.ts";
import { ExitCode, ExitError } from "./core/errors.ts";
import { say } from "./core/output.ts";

const topLevelHelp = () => `bulwark: prove that a service keeps its production-readiness promises

Usage: bulwark <command> [arguments] [flags]

Commands:
${commands.map((command) => `  ${command.name.padEnd(10)} ${command.summary}`).join("\n")}

Run 'bulwark <command> --help' for the flags and examples of one command.
Exit codes: 0 every check passed, 1 a check failed, 2 bad input, 3 tooling or infrastructure error.

Example:
  bulwark gate nightly            # the nightly SLO gate against the embedded demo target
`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(topLevelHelp());
    return name === undefined ? ExitCode.badInput : ExitCode.pass;
  }
  const command: Command | undefined = commands.find((candidate) => candidate.name === name);
  if (!command) {
    say(`bulwark: unknown command '${name}' (known: ${commands.map((c) => c.name).join(", ")})`);
    return ExitCode.badInput;
  }
  const { positionals, flags } = parseCommandArgs(command, rest);
  if (flags.help === true) {
    process.stdout.write(command.help.trimEnd() + "\n");
    return ExitCode.pass;
  }
  const abort = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    say(`\nbulwark: ${signal} received, stopping cleanly (press Ctrl-C again to force)`);
    abort.abort(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return await command.run({ positionals, flags, abortSignal: abort.signal });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

export async function runCli(argv: string[]): Promise<void> {
  let code: number;
  try {
    code = await main(argv);
  } catch (error) {
    if (error instanceof ExitError) {
      say(`bulwark: ${error.message}`);
      code = error.code;
    } else {
      say(`bulwark: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      say("bulwark: this is a bug; please report it with the command you ran.");
      code = 70;
    }
  }
  process.exitCode = code;
}
