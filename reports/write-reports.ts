import { renderJunit } from "./junit.ts";
import { renderMarkdown } from "./markdown.ts";
import type { RunDirectory } from "../scripts/core/run-directory.ts";
import { summarySchema, type RunSummary } from "./summary-schema.ts";
import { writeFileAtomic } from "../scripts/core/write-atomic.ts";

/** Writes summary.json (validated against its schema first), junit.xml and summary.md, each atomically. */
export async function writeRunReports(runDirectory: RunDirectory, summary: RunSummary): Promise<void> {
  const valid = summarySchema.parse(summary);
  await writeFileAtomic(runDirectory.file("summary.json"), JSON.stringify(valid, null, 2) + "\n");
  await writeFileAtomic(runDirectory.file("junit.xml"), renderJunit(valid));
  await writeFileAtomic(runDirectory.file("summary.md"), renderMarkdown(valid));
}
