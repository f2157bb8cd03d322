import { appendFile, mkdir } from "node:fs/promises";
import { userInfo, hostname } from "node:os";
import { dirname, join } from "node:path";
import { defaultReportsRoot } from "./run-directory.ts";

/** One chaos or drill action: who did what, where, when, and how it ended. */
export interface AuditEntry {
  action: string;
  target: string;
  environment: string;
  runId: string;
  result: "started" | "succeeded" | "failed" | "skipped" | "reverted";
  detail?: string;
}

export const auditLogPath = (): string => process.env.BULWARK_AUDIT_LOG ?? join(defaultReportsRoot(), "audit.jsonl");

/** Appends one JSON line; appends of one line are atomic enough for a log read by people. */
export async function audit(entry: AuditEntry, now: Date = new Date()): Promise<void> {
  const path = auditLogPath();
  await mkdir(dirname(path), { recursive: true });
  const line = { at: now.toISOString(), who: `${userInfo().username}@${hostname()}`, ...entry };
  await appendFile(path, JSON.stringify(line) + "\n");
}
