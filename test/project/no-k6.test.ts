import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cacheDir } from "../../scripts/core/cache-dir.ts";
import { repoPath } from "../../scripts/core/repo-root.ts";

// k6 is AGPL: bulwark never builds, downloads or runs it. Runs last (the `project` group follows every
// other one), so the caches below are what a whole `npm test` left behind.
const k6Module = ["go.k6.io", "k6"].join("/");

/** Every file under dir (no symlinks followed), as paths. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe("no k6 anywhere", () => {
  it("no tracked file of the repository names k6's Go module", () => {
    const tracked = execFileSync("git", ["ls-files", "-co", "--exclude-standard"], { cwd: repoPath(), encoding: "utf8" }).split("\n").filter((file) => file && existsSync(repoPath(file)));
    const naming = tracked.filter((file) => readFileSync(repoPath(file)).includes(k6Module));
    expect(naming).toEqual([]);
  });

  it("the caches a test run filled hold no k6 module or binary", () => {
    const goModCache = execFileSync("go", ["env", "GOMODCACHE"], { encoding: "utf8" }).trim();
    expect(existsSync(join(goModCache, "go.k6.io"))).toBe(false);
    expect(existsSync(join(goModCache, "cache", "download", "go.k6.io"))).toBe(false);
    // The cluster's build tree holds Kubernetes' own module sources (large, and not bulwark's binaries).
    const bulwarkCache = filesUnder(cacheDir()).filter((file) => !file.includes(join("cluster", "src")));
    expect(bulwarkCache.filter((file) => /(^|\/)k6$/.test(file))).toEqual([]);
    expect(existsSync(cacheDir("k6"))).toBe(false);
  });
});
