import { commands } from "./commands/index.ts";
import { parseCommandArgs, type Command } from "./commands/command.ts";
import { ExitCode, ExitError } from "./core/errors.ts";
import { say } from "./core/output.ts";
import { cacheDir } from "./core/cache-dir.ts";
import { quoteName, withoutUrlCredentials } from "./core/quote-value.ts";
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const topLevelHelp = () => `bulwark: prove that a service keeps its production-readiness promises

Usage: bulwark <command> [arguments] [flags]

Commands:
${commands.map((command) => `  ${command.name.padEnd(10)} ${command.summary}`).join("\n")}

Run 'bulwark <command> --help' for the flags and examples of one command.
Exit codes: 0 every check passed, 1 a check failed, 2 bad input, 3 tooling or infrastructure error,
130 interrupted, 70 a bug in bulwark (one line; the stack trace is in a log file).

Examples:
  bulwark gate nightly            # the nightly SLO gate against the embedded demo target
  bulwark list                    # what the config defines: scenarios, suites, experiments, checks
  bulwark gate release            # every kind of step (after bulwark local up --cluster --monitoring)
`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(topLevelHelp());
    return name === undefined ? ExitCode.badInput : ExitCode.pass;
  }
  const command: Command | undefined = commands.find((candidate) => candidate.name === name);
  if (!command) {
    say(`bulwark: unknown command ${quoteName(name)} (known: ${commands.map((c) => c.name).join(", ")})`);
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

/** A bug in bulwark (EX_SOFTWARE), outside the 0/1/2/3/130 contract on purpose: README, exit codes. */
export const internalErrorExitCode = 70;

/** Keeps the stack trace of an unexpected error in a log file (user cache, else the temp folder) and returns its path. */
function writeCrashLog(error: unknown, argv: readonly string[]): string | undefined {
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const text = withoutUrlCredentials(
    [`bulwark ${argv.join(" ")}`, `node ${process.version} on ${process.platform}-${process.arch}`, "", error instanceof Error ? (error.stack ?? error.message) : String(error), ""].join("\n"),
  );
  for (const folder of [cacheDir("logs"), join(tmpdir(), "bulwark-logs")]) {
    try {
      mkdirSync(folder, { recursive: true });
      const path = join(folder, `${stamp}-${process.pid}.log`);
      writeFileSync(path, text, { mode: 0o600 });
      return path;
    } catch {
      // Next folder.
    }
  }
  return undefined;
}

/** A bug: one line on stderr pointing at a log file with the stack trace (never the stack itself); exit 70. */
export function reportInternalError(error: unknown, argv: readonly string[]): number {
  const message = withoutUrlCredentials(error instanceof Error ? error.message : String(error)).split("\n")[0];
  const log = writeCrashLog(error, argv);
  say(`bulwark: internal error: ${message} (a bug in bulwark, exit ${internalErrorExitCode}; ${log ? `stack trace in ${log}` : "no log file could be written"}; please report it with the command you ran)`);
  return internalErrorExitCode;
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
      code = reportInternalError(error, argv);
    }
  }
  process.exitCode = code;
}
