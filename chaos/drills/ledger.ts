/** One write of the write probe: sent at `sentAt`; `ackedAt` is set only when the data store confirmed it. */
export interface LedgerEntry {
  seq: number;
  sentAt: number;
  ackedAt?: number;
  error?: string;
}

/** The write probe's local record of every attempt, in sequence order. */
export class Ledger {
  readonly #entries: LedgerEntry[] = [];

  record(entry: LedgerEntry): void {
    this.#entries.push(entry);
  }

  get entries(): readonly LedgerEntry[] {
    return this.#entries;
  }

  acknowledged(): LedgerEntry[] {
    return this.#entries.filter((entry) => entry.ackedAt !== undefined);
  }

  lastAcknowledged(): LedgerEntry | undefined {
    return this.acknowledged().at(-1);
  }
}

/** Compresses sorted sequence numbers into inclusive ranges: [3,4,5,9] -> [[3,5],[9,9]]. */
export function toRanges(sortedSeqs: readonly number[]): [number, number][] {
  const ranges: [number, number][] = [];
  for (const seq of sortedSeqs) {
    const last = ranges.at(-1);
    if (last && seq === last[1] + 1) last[1] = seq;
    else ranges.push([seq, seq]);
  }
  return ranges;
}

export const formatRanges = (ranges: readonly [number, number][]): string =>
  ranges.length === 0 ? "none" : ranges.map(([from, to]) => (from === to ? `${from}` : `${from}-${to}`)).join(", ");
