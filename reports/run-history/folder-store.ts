import { mkdir, readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { summarySchema, type RunSummary } from "../summary-schema.ts";
import { writeFileAtomic } from "../../scripts/core/write-atomic.ts";
import type { HistoryListing, HistoryStore } from "./history-store.ts";

/**
 * One JSON file per run (<run-id>.json) in a folder: CI can cache it or commit it, and people can read,
 * copy or delete single runs with ordinary tools.
 */
export class FolderHistoryStore implements HistoryStore {
  readonly location: string;

  constructor(folder: string) {
    this.location = resolve(folder);
  }

  async append(summary: RunSummary): Promise<void> {
    await mkdir(this.location, { recursive: true });
    await writeFileAtomic(this.fileOf(summary.runId), JSON.stringify(summarySchema.parse(summary)) + "\n");
  }

  async list(): Promise<HistoryListing> {
    let names: string[];
    try {
      names = (await readdir(this.location)).filter((name) => name.endsWith(".json")).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { runs: [], unreadable: [] };
      throw error;
    }
    const runs: RunSummary[] = [];
    const unreadable: string[] = [];
    for (const name of names) {
      const summary = await this.read(join(this.location, name));
      if (summary) runs.push(summary);
      else unreadable.push(join(this.location, name));
    }
    runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.runId.localeCompare(b.runId));
    return { runs, unreadable };
  }

  async get(runId: string): Promise<RunSummary | undefined> {
    if (!isSafeRunId(runId)) return undefined;
    return (await this.read(this.fileOf(runId))) ?? undefined;
  }

  private fileOf(runId: string): string {
    if (!isSafeRunId(runId)) throw new Error(`run id '${runId}' cannot name a history file`);
    return join(this.location, `${runId}.json`);
  }

  private async read(path: string): Promise<RunSummary | null> {
    try {
      const parsed = summarySchema.safeParse(JSON.parse(await readFile(path, "utf8")));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }
}

/** Run ids are file names here: no separators, no dot-dot. */
function isSafeRunId(runId: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(runId) && !runId.includes("..");
}
