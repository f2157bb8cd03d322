import { join } from "node:path";
import { UsageError } from "../../scripts/core/errors.ts";
import { defaultReportsRoot } from "../../scripts/core/run-directory.ts";
import type { RunSummary } from "../summary-schema.ts";
import { FolderHistoryStore } from "./folder-store.ts";

/** Where past runs are kept. One implementation per backend; the folder is the default. */
export interface HistoryStore {
  /** Human description of where the history lives, for messages. */
  readonly location: string;
  /** Adds a finished run; adding the same run id again replaces it. */
  append(summary: RunSummary): Promise<void>;
  /** Every readable run, oldest first, with the entries that could not be read. */
  list(): Promise<HistoryListing>;
  get(runId: string): Promise<RunSummary | undefined>;
}

export interface HistoryListing {
  runs: RunSummary[];
  /** Entries that are not valid run summaries: skipped, named so that a person can clean them up. */
  unreadable: string[];
}

export const historyEnvVar = "BULWARK_HISTORY_DIR";

/** $BULWARK_HISTORY_DIR, else the history folder beside the run directories (reports/history). */
export const defaultHistoryLocation = (reportsRoot: string = defaultReportsRoot()): string => process.env[historyEnvVar] ?? join(reportsRoot, "history");

type BackendFactory = (address: string) => HistoryStore;

/** Backends by URL scheme; a location without a scheme is a folder path. Add a backend here. */
const backends: Record<string, BackendFactory> = {
  file: (address) => new FolderHistoryStore(new URL(address).pathname),
};

/** Opens the history named by --history, $BULWARK_HISTORY_DIR or the default reports/history folder. */
export function openHistoryStore(location: string = defaultHistoryLocation()): HistoryStore {
  const scheme = /^([a-z][a-z0-9+.-]+):\/\//i.exec(location)?.[1]?.toLowerCase();
  if (!scheme) return new FolderHistoryStore(location);
  const factory = backends[scheme];
  if (!factory) throw new UsageError(`--history: unknown history backend '${scheme}://' (known: a folder path, ${Object.keys(backends).map((name) => `${name}://`).join(", ")})`);
  return factory(location);
}
