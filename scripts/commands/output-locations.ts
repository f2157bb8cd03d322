import { resolve } from "node:path";
import { checkWritableFolder } from "../core/output-location.ts";
import { withoutUrlCredentials } from "../core/quote-value.ts";
import { defaultReportsRoot } from "../core/run-directory.ts";
import { defaultHistoryLocation, historyEnvVar, openHistoryStore } from "../../reports/run-history/history-store.ts";

export interface OutputLocations {
  /** --out (or $BULWARK_REPORTS_DIR); default reports/. */
  reportsRoot?: string;
  /** How messages name the reports root: `--out` or `BULWARK_REPORTS_DIR=<dir>`. */
  reportsRootLabel?: string;
  /** --history; default $BULWARK_HISTORY_DIR, then history/ in the reports root. */
  historyLocation?: string;
}

/**
 * Where a run will write, checked before anything starts (exit 2): the reports root and a folder
 * history must be writable directories or creatable, and not on a pseudo-filesystem; a history URL
 * must name a known backend.
 */
export function checkOutputLocations(request: OutputLocations): void {
  const reportsRoot = request.reportsRoot ?? defaultReportsRoot();
  const reportsLabel = request.reportsRootLabel ?? (request.reportsRoot !== undefined ? "--out" : process.env.BULWARK_REPORTS_DIR ? `BULWARK_REPORTS_DIR=${process.env.BULWARK_REPORTS_DIR}` : "reports folder");
  checkWritableFolder(reportsRoot, reportsLabel);

  const location = request.historyLocation ?? defaultHistoryLocation(resolve(reportsRoot));
  const historyLabel = request.historyLocation !== undefined ? "--history" : process.env[historyEnvVar] ? `${historyEnvVar}=${withoutUrlCredentials(location)}` : `history folder (in ${reportsLabel})`;
  const scheme = /^([a-z][a-z0-9+.-]+):\/\//i.exec(location)?.[1]?.toLowerCase();
  if (scheme === undefined) checkWritableFolder(location, historyLabel);
  else if (scheme === "file") checkWritableFolder(new URL(location).pathname, historyLabel);
  else openHistoryStore(location);
}
