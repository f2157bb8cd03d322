import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Clock } from "../../../scripts/core/clock.ts";
import { ExitCode, ToolingError } from "../../../scripts/core/errors.ts";
import { cameWithin, waitFor, waitForOrThrow, WaitTimeoutError } from "../../../scripts/core/wait-for.ts";

// Fake timers drive both the interval sleeps and the clock, so a 10-second wait takes no real time.
const fakeClock: Clock = { now: () => Date.now() };
const options = { timeoutMs: 10_000, intervalMs: 1_000, clock: fakeClock, description: "the thing" };

/** A probe that answers `answer` from its `readyOnCall`-th call on, counting its calls. */
function probeReadyOn<T>(readyOnCall: number, answer: T) {
  const probe = vi.fn(() => (probe.mock.calls.length >= readyOnCall ? answer : undefined));
  return probe;
}

describe("waitFor", () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it("returns the first answer without sleeping when the probe answers at once", async () => {
    await expect(waitFor(() => "ready", options)).resolves.toBe("ready");
  });

  it("tries again every interval until the probe answers, and returns its answer", async () => {
    const probe = probeReadyOn(4, { port: 5432 });
    const waiting = waitFor(probe, options);
    await vi.advanceTimersByTimeAsync(3_000);
    await expect(waiting).resolves.toEqual({ port: 5432 });
    expect(probe).toHaveBeenCalledTimes(4);
  });

  it("treats false and undefined as not yet, and 0 or an empty string as an answer", async () => {
    const answers: unknown[] = [false, undefined, 0];
    const waiting = waitFor(() => answers.shift() as number | false | undefined, options);
    await vi.advanceTimersByTimeAsync(2_000);
    await expect(waiting).resolves.toBe(0);
    await expect(waitFor(() => "", options)).resolves.toBe("");
  });

  it("awaits an async probe", async () => {
    const probe = vi.fn(async () => (probe.mock.calls.length >= 2 ? "up" : false));
    const waiting = waitFor(probe, options);
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(waiting).resolves.toBe("up");
  });

  it("gives up at the deadline with a tooling error naming what it waited for, after one last try", async () => {
    const probe = vi.fn(() => undefined);
    const waiting = waitFor(probe, { ...options, timeoutMs: 2_500 });
    const outcome = expect(waiting).rejects.toThrow("timed out after 2.5 s waiting for the thing");
    await vi.advanceTimersByTimeAsync(2_500);
    await outcome;
    // At 0, 1000, 2000 and at the deadline (2500).
    expect(probe).toHaveBeenCalledTimes(4);
    const error = await waiting.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error).toBeInstanceOf(ToolingError);
    expect((error as ToolingError).code).toBe(ExitCode.tooling);
  });

  it("retries a probe that throws and quotes its last error at the deadline", async () => {
    let attempt = 0;
    const waiting = waitFor(() => {
      attempt += 1;
      throw new Error(`connect ECONNREFUSED (attempt ${attempt})`);
    }, { ...options, timeoutMs: 3_000 });
    const outcome = expect(waiting).rejects.toThrow("timed out after 3 s waiting for the thing; last error: connect ECONNREFUSED (attempt 4)");
    await vi.advanceTimersByTimeAsync(3_000);
    await outcome;
    const error = (await waiting.catch((caught: unknown) => caught)) as WaitTimeoutError;
    expect((error.lastError as Error).message).toBe("connect ECONNREFUSED (attempt 4)");
  });

  it("ends at once when the probe throws an ExitError: that is a verdict, not a transient failure", async () => {
    const probe = vi.fn(() => {
      throw new ToolingError("dockerd stopped");
    });
    await expect(waitFor(probe, options)).rejects.toThrow("dockerd stopped");
    expect(probe).toHaveBeenCalledTimes(1);
  });

  it("rejects with the abort reason when the signal aborts during a sleep, and stops probing", async () => {
    const controller = new AbortController();
    const probe = vi.fn(() => undefined);
    const waiting = waitFor(probe, { ...options, signal: controller.signal });
    const outcome = expect(waiting).rejects.toThrow("user pressed Ctrl-C");
    await vi.advanceTimersByTimeAsync(1_500);
    controller.abort(new Error("user pressed Ctrl-C"));
    await outcome;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(probe).toHaveBeenCalledTimes(2);
  });

  it("does not probe at all when the signal has already aborted", async () => {
    const probe = vi.fn(() => "ready");
    await expect(waitFor(probe, { ...options, signal: AbortSignal.abort(new Error("aborted before")) })).rejects.toThrow("aborted before");
    expect(probe).not.toHaveBeenCalled();
  });

  it("measures the deadline on the injected clock", async () => {
    // A clock that jumps a minute per reading: the deadline has passed by the second reading.
    let now = 0;
    const jumpingClock: Clock = { now: () => (now += 60_000) };
    const probe = vi.fn(() => undefined);
    await expect(waitFor(probe, { ...options, clock: jumpingClock })).rejects.toThrow(WaitTimeoutError);
    expect(probe).toHaveBeenCalledTimes(1);
  });
});

describe("cameWithin", () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it("is true when the condition comes true in time and false when the deadline passes", async () => {
    let calls = 0;
    const soon = cameWithin(() => ++calls >= 2, options);
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(soon).resolves.toBe(true);

    const never = cameWithin(() => false, { ...options, timeoutMs: 3_000 });
    await vi.advanceTimersByTimeAsync(3_000);
    await expect(never).resolves.toBe(false);
  });
});

describe("waitForOrThrow", () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it("returns the answer, or throws the caller's own error at the deadline", async () => {
    await expect(waitForOrThrow(() => 7, options, () => new Error("unused"))).resolves.toBe(7);

    let lastSeen = "";
    const waiting = waitForOrThrow(
      () => {
        lastSeen = `node-${Date.now() / 1000}`;
        return undefined;
      },
      { ...options, timeoutMs: 2_000 },
      (timeout) => new ToolingError(`nodes not Ready within 2 s (ready: ${lastSeen}); ${timeout.message}`),
    );
    const outcome = expect(waiting).rejects.toThrow("nodes not Ready within 2 s (ready: node-2); timed out after 2 s waiting for the thing");
    await vi.advanceTimersByTimeAsync(2_000);
    await outcome;
  });
});
