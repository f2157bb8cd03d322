import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../core/errors.ts";
import { quoteName, withoutUrlCredentials } from "../core/quote-value.ts";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

export interface CommandContext {
  /** Positional arguments after the command name. */
  positionals: string[];
  /** Parsed flags, typed loosely: each command reads its own. */
  flags: Record<string, string | boolean | string[] | undefined>;
  /** Fired on SIGINT/SIGTERM; long-running steps listen to stop cleanly. */
  abortSignal: AbortSignal;
}

export interface Command {
  name: string;
  summary: string;
  /** Full help text: usage line, flags, at least one example. */
  help: string;
  options: OptionSpec;
  run(context: CommandContext): Promise<number>;
}

/** Flags every command accepts. */
export const commonOptions = {
  help: { type: "boolean", short: "h" },
  json: { type: "boolean" },
} satisfies OptionSpec;

export function parseCommandArgs(command: Command, argv: string[]): Pick<CommandContext, "positionals" | "flags"> {
  const options: OptionSpec = { ...commonOptions, ...command.options };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${command.name}: ${text.split("\n")[0]} (see 'bulwark ${command.name} --help')`);
  }
  // A repeated flag with another value is ambiguous (`--env staging --env prod`): say so rather than take the last.
  const seen = new Map<string, string | undefined>();
  for (const token of parsed.tokens) {
    if (token.kind !== "option" || options[token.name]?.multiple) continue;
    if (seen.has(token.name) && seen.get(token.name) !== token.value) {
      throw new UsageError(`${command.name}: --${token.name} given twice with different values (${quoteName(seen.get(token.name) ?? "")} and ${quoteName(token.value ?? "")})`);
    }
    seen.set(token.name, token.value);
  }
  return { positionals: parsed.positionals, flags: parsed.values as CommandContext["flags"] };
}

/** Reads a string flag, falling back to an environment variable (e.g. --env <- BULWARK_ENV). */
export function stringFlag(context: CommandContext, name: string, envFallback?: string): string | undefined {
  const value = context.flags[name];
  if (typeof value === "string") return value;
  if (envFallback && process.env[envFallback]) return process.env[envFallback];
  return undefined;
}

/**
 * Where a string flag's value came from, for messages: `--env`, or `BULWARK_ENV=<value>` when the
 * environment variable supplied it (a user who never typed the flag must see which variable to fix).
 */
export function flagLabel(context: CommandContext, name: string, envFallback?: string): string {
  if (typeof context.flags[name] === "string" || !envFallback || !process.env[envFallback]) return `--${name}`;
  return `${envFallback}=${JSON.stringify(withoutUrlCredentials(process.env[envFallback] ?? "")).slice(1, -1)}`;
}

export function booleanFlag(context: CommandContext, name: string): boolean {
  return context.flags[name] === true;
}

export function listFlag(context: CommandContext, name: string): string[] {
  const value = context.flags[name];
  if (Array.isArray(value)) return value;
  if (typeof value === "string") return [value];
  return [];
}

/**
 * --confirm-production: the run's environment named again. Naming another one (or nothing: an empty
 * value) is a mistake whatever the steps are, so it is refused before anything starts.
 */
export function confirmProductionFlag(context: CommandContext, environmentName: string): string | undefined {
  const value = stringFlag(context, "confirm-production");
  if (value !== undefined && value !== environmentName) throw new UsageError(`--confirm-production: names ${quoteName(value)} but the run is in environment ${quoteName(environmentName)}; nothing was started`);
  return value;
}
