import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { repoPath } from "../../scripts/core/repo-root.ts";
import type { RunSummary } from "../summary-schema.ts";
import { writeFileAtomic } from "../../scripts/core/write-atomic.ts";
import { renderReportHtml, type ReportAssets } from "./render-report.ts";
import { loadReportInput } from "./report-input.ts";

export const reportHtmlFileName = "report.html";

let cachedAssets: Promise<ReportAssets> | null = null;

/** uPlot is read from node_modules at generation time and inlined, so the page needs no network. */
export function loadReportAssets(): Promise<ReportAssets> {
  cachedAssets ??= (async () => {
    const uplotDist = dirname(createRequire(import.meta.url).resolve("uplot"));
    const [chartLibraryJs, chartLibraryCss, clientJs] = await Promise.all([
      readFile(join(uplotDist, "uPlot.iife.min.js"), "utf8"),
      readFile(join(uplotDist, "uPlot.min.css"), "utf8"),
      readFile(repoPath("reports", "html", "report-client.js"), "utf8"),
    ]);
    return { chartLibraryJs, chartLibraryCss, clientJs };
  })();
  return cachedAssets;
}

/** Writes report.html into a run directory from its summary and whatever optional inputs it holds. */
export async function writeHtmlReport(runDir: string, summary: RunSummary): Promise<string> {
  const input = await loadReportInput(runDir, summary);
  const html = renderReportHtml(input, await loadReportAssets());
  const path = join(runDir, reportHtmlFileName);
  await writeFileAtomic(path, html);
  return path;
}
