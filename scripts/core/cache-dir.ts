import { homedir } from "node:os";
import { join } from "node:path";

/**
 * User-level cache for slow builds (the load engine, cluster binaries), keyed by version by the callers.
 * Outside the repo on purpose: CI runs in a fresh clone where repo-local caches are always empty.
 */
export function cacheDir(...parts: string[]): string {
  const root = process.env.BULWARK_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "bulwark");
  return join(root, ...parts);
}
