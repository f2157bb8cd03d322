import { mkdir } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join, resolve } from "node:path";
import { repoPath } from "./repo-root.ts";

export const defaultReportsRoot = (): string => process.env.BULWARK_REPORTS_DIR ?? repoPath("reports");

/** Run ids sort by time and say what ran: 20261122T014900Z-gate-nightly-3f9a. */
export function newRunId(kind: string, name: string, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `${stamp}-${kind}-${name}-${randomBytes(2).toString("hex")}`;
}

export interface RunDirectory {
  runId: string;
  path: string;
  file(name: string): string;
}

export async function createRunDirectory(kind: string, name: string, root: string = defaultReportsRoot()): Promise<RunDirectory> {
  const runId = newRunId(kind, name);
  const path = resolve(root, runId);
  await mkdir(path, { recursive: true });
  return { runId, path, file: (fileName) => join(path, fileName) };
}
