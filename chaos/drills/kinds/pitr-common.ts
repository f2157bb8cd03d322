import { existsSync, readdirSync } from "node:fs";
import { exec, tail } from "../../../scripts/core/exec.ts";
import type { PostgresPitrDrill } from "../definition.ts";
import type { StepOutput } from "../steps.ts";

/** Copies a finished segment into the archive, never overwriting one (PostgreSQL's documented recipe). */
export function archiveCommandFor(definition: PostgresPitrDrill, archiveDir: string): string {
  const template = definition.archiveCommand ?? "test ! -f '{archive}/%f' && cp '%p' '{archive}/%f'";
  return template.replaceAll("{archive}", archiveDir);
}

export const restoreCommandFor = (archiveDir: string): string => `cp '${archiveDir}/%f' '%p'`;

/** The drill's beforeRestore shell command, with the backup's locations in its environment. */
export async function runBeforeRestore(command: string, locations: { baseBackup: string; archive: string }, output: StepOutput, signal: AbortSignal): Promise<void> {
  const result = await exec("sh", ["-c", command], {
    env: { ...process.env, BULWARK_DRILL_BASE_BACKUP: locations.baseBackup, BULWARK_DRILL_WAL_ARCHIVE: locations.archive },
    signal,
  });
  output.append(`beforeRestore: ${command}`);
  output.append(tail(result.stdout + result.stderr, 40));
  if (result.code !== 0) throw new Error(`beforeRestore command exited with ${result.code ?? result.signal}`);
}

/** The lines of a server log that tell how recovery went (segments restored, end of recovery, promotion). */
export function recoveryLines(log: string): string {
  const interesting = log.split("\n").filter((line) => /restored log file|redo (starts|done)|archive recovery complete|selected new timeline|consistent recovery state|database system is ready/.test(line));
  return tail(interesting.join("\n"), 40);
}

/** Files below a folder, counted recursively (a base backup's size in files, for the evidence). */
export function countFiles(path: string): number {
  if (!existsSync(path)) return 0;
  let count = 0;
  for (const entry of readdirSync(path, { withFileTypes: true, recursive: true })) if (entry.isFile()) count += 1;
  return count;
}
