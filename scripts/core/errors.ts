/** Exit codes are the CLI contract (docs/architecture.md). */
export const ExitCode = {
  pass: 0,
  checkFailed: 1,
  badInput: 2,
  tooling: 3,
  /** Interrupted (Ctrl-C, SIGTERM): exits like a shell does after Ctrl-C; the report still says "aborted". */
  aborted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An expected failure: the CLI prints `message` on one line and exits with `code`. */
export class ExitError extends Error {
  constructor(
    readonly code: ExitCodeValue,
    message: string,
  ) {
    super(message);
    this.name = "ExitError";
  }
}

/** Bad input: usage, config, unknown name (exit 2). */
export class UsageError extends ExitError {
  constructor(message: string) {
    super(ExitCode.badInput, message);
    this.name = "UsageError";
  }
}

/** Tooling or infrastructure failure: load engine missing, target unreachable, cluster down (exit 3). */
export class ToolingError extends ExitError {
  constructor(message: string) {
    super(ExitCode.tooling, message);
    this.name = "ToolingError";
  }
}
