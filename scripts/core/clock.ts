/** Milliseconds since the epoch; injected so RTO/RPO arithmetic can be tested without waiting. */
export interface Clock {
  now(): number;
}

/** Wall-clock time that never jumps: the process start time plus a monotonic counter. */
export const realClock: Clock = { now: () => performance.timeOrigin + performance.now() };

export const isoTime = (epochMs: number): string => new Date(epochMs).toISOString();
