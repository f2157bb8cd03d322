import { existsSync, readdirSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { UsageError } from "../../scripts/core/errors.ts";
import { summarySchema, type RunSummary } from "../summary-schema.ts";
import type { HistoryStore } from "./history-store.ts";

export interface ResolvedRun {
  summary: RunSummary;
  /** The run directory, when the run was found on disk rather than only in the history. */
  directory: string | null;
}

/**
 * Finds a run named on the command line: a run directory (or its summary.json), a run id under the
 * reports folder, or a run id in the history. Anything else is bad input (exit 2) with a message that
 * says where it looked.
 */
export async function resolveRun(reference: string, reportsRoot: string, history: HistoryStore, what = "run"): Promise<ResolvedRun> {
  if (reference === "latest") return resolveRun(latestRunDirectory(reportsRoot, what), reportsRoot, history, what);
  const candidates = [resolve(reference), join(resolve(reportsRoot), reference)];
  for (const candidate of candidates) {
    if (!existsSync(candidate)) continue;
    if (statSync(candidate).isFile()) return { summary: await readSummaryFile(candidate, what), directory: resolve(candidate, "..") };
    const summaryPath = join(candidate, "summary.json");
    if (!existsSync(summaryPath)) throw new UsageError(`${what} ${candidate}: no summary.json in it (is it a bulwark run directory?)`);
    return { summary: await readSummaryFile(summaryPath, what), directory: candidate };
  }
  const fromHistory = await history.get(basename(reference));
  if (fromHistory) return { summary: fromHistory, directory: null };
  throw new UsageError(`${what} '${reference}' not found: no such directory, no run with that id in ${resolve(reportsRoot)} nor in the history at ${history.location}`);
}

/** Run ids start with their UTC start time, so the newest run directory sorts last. */
function latestRunDirectory(reportsRoot: string, what: string): string {
  const root = resolve(reportsRoot);
  const runs = existsSync(root) ? readdirSync(root).filter((name) => /^\d{8}T\d{6}Z-/.test(name) && existsSync(join(root, name, "summary.json"))) : [];
  const latest = runs.sort().at(-1);
  if (!latest) throw new UsageError(`${what} 'latest': no run directory with a summary.json in ${root}`);
  return join(root, latest);
}

async function readSummaryFile(path: string, what: string): Promise<RunSummary> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new UsageError(`${what} ${path}: not valid JSON (${(error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ")})`);
  }
  const parsed = summarySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join(".") : "(top level)";
    throw new UsageError(`${what} ${path}: not a bulwark run summary: ${where}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}
