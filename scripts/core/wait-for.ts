// The one way bulwark waits for something: a probe tried every interval until it answers, the deadline
// passes or the caller aborts. Every "poll until ready / gone / condition" loop goes through here.
import { type Clock, realClock } from "./clock.ts";
import { ExitError, ToolingError } from "./errors.ts";

export interface WaitOptions {
  timeoutMs: number;
  intervalMs: number;
  signal?: AbortSignal;
  clock?: Clock;
  /** What is awaited, for the timeout message: "dockerd to answer". */
  description: string;
}

/** The deadline passed; `lastError` is what the probe last threw, if it threw. */
export class WaitTimeoutError extends ToolingError {
  constructor(
    message: string,
    readonly lastError?: unknown,
  ) {
    super(message);
    this.name = "WaitTimeoutError";
  }
}

/**
 * Calls `probe` until it returns something other than undefined or false and returns that. The probe
 * always runs at least once, and once more at the deadline. A probe that throws is retried (its last
 * error is quoted if the deadline passes), except an ExitError: that is a verdict and ends the wait at once.
 * Throws a WaitTimeoutError (a ToolingError, exit 3) at the deadline; rejects with the signal's reason
 * when it aborts.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitOptions,
): Promise<T> {
  const clock = options.clock ?? realClock;
  const deadline = clock.now() + options.timeoutMs;
  let lastError: unknown;
  let threw = false;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const answer = await probe();
      if (answer !== undefined && answer !== false) return answer;
    } catch (error) {
      if (error instanceof ExitError) throw error;
      threw = true;
      lastError = error;
    }
    options.signal?.throwIfAborted();
    const remaining = deadline - clock.now();
    if (remaining <= 0) {
      const cause = threw ? `; last error: ${errorMessage(lastError)}` : "";
      throw new WaitTimeoutError(`timed out after ${formatSeconds(options.timeoutMs)} waiting for ${options.description}${cause}`, threw ? lastError : undefined);
    }
    await sleep(Math.min(options.intervalMs, remaining), options.signal);
  }
}

/** Like waitFor, but at the deadline throws the caller's own error: one that quotes what it last saw or a log. */
export async function waitForOrThrow<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitOptions,
  timeoutError: (timeout: WaitTimeoutError) => Error | Promise<Error>,
): Promise<T> {
  try {
    return await waitFor(probe, options);
  } catch (error) {
    if (error instanceof WaitTimeoutError) throw await timeoutError(error);
    throw error;
  }
}

/** For waits whose timeout is not a failure (a process given a grace period before SIGKILL): true if it came, false if not. */
export async function cameWithin(
  condition: () => Promise<boolean> | boolean,
  options: WaitOptions,
): Promise<boolean> {
  try {
    return await waitFor(async () => (await condition()) || undefined, options);
  } catch (error) {
    if (error instanceof WaitTimeoutError) return false;
    throw error;
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

const formatSeconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
