import { mkdir } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { UsageError } from "./errors.ts";
import { projectPath } from "./project-root.ts";

/** reports/ of the project (the folder of the config in use). */
export const defaultReportsRoot = (): string => process.env.BULWARK_REPORTS_DIR ?? projectPath("reports");

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
  // Names are constrained by the config schema; this holds whatever a caller passes.
  const inside = relative(resolve(root), path);
  if (inside === "" || inside.startsWith("..") || isAbsolute(inside) || inside.includes(sep)) throw new UsageError(`run directory for ${kind} '${name}' would not be a folder directly inside ${resolve(root)}`);
  await mkdir(path, { recursive: true });
  return { runId, path, file: (fileName) => join(path, fileName) };
}
