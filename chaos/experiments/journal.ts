// The experiment's journal: every step with its timestamp, appended to a JSON-lines file as it happens
// (so a run that is killed leaves what it did), and the events worth a report as the step's timeline.
import { appendFileSync } from "node:fs";
import type { TimelineEvent } from "../../scripts/core/step-result.ts";

export interface JournalEntry {
  at: string;
  event: string;
  detail: string;
  data?: Record<string, unknown>;
}

/** Events written to the journal only (one per probe and interval): too many for the console. */
const quietEvents = new Set(["probe-reading"]);

/** Events shown in the step's timeline (summary.json, summary.md, report.html); the journal keeps everything. */
const timelineEvents = new Set([
  "leftover-swept",
  "hypothesis-held-before",
  "hypothesis-deviated-before",
  "load-started",
  "fault-injected",
  "injection-confirmed",
  "fault-never-took-effect",
  "pod-replaced",
  "hypothesis-violated",
  "safety-limit",
  "fault-removed",
  "recovered",
  "not-recovered",
  "rollback",
  "aborted",
  "load-ended",
]);

export class Journal {
  readonly entries: JournalEntry[] = [];

  constructor(
    private readonly path: string | undefined,
    private readonly log: (line: string) => void = () => {},
  ) {}

  record(event: string, detail = "", data?: Record<string, unknown>, at: Date = new Date()): JournalEntry {
    const entry: JournalEntry = { at: at.toISOString(), event, detail, ...(data ? { data } : {}) };
    this.entries.push(entry);
    if (this.path) appendFileSync(this.path, JSON.stringify(entry) + "\n");
    if (!quietEvents.has(event)) this.log(`chaos: ${entry.at.slice(11, 23)} ${event}${detail ? `: ${detail}` : ""}`);
    return entry;
  }

  timeline(): TimelineEvent[] {
    return this.entries.filter((entry) => timelineEvents.has(entry.event)).map((entry) => ({ at: entry.at, event: entry.event, detail: entry.detail }));
  }
}
