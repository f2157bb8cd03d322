import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ensureK6, k6Version } from "../../scripts/k6/ensure-k6.ts";

describe("k6 setup", () => {
  const saved = { cache: process.env.BULWARK_CACHE_DIR, path: process.env.PATH, k6: process.env.BULWARK_K6 };
  afterEach(() => {
    for (const [key, value] of [["BULWARK_CACHE_DIR", saved.cache], ["PATH", saved.path], ["BULWARK_K6", saved.k6]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it("builds the pinned k6 with go install into an empty user cache keyed by version, then reuses it", async () => {
    const cache = mkdtempSync(join(tmpdir(), "bulwark-cache-"));
    process.env.BULWARK_CACHE_DIR = cache;
    delete process.env.BULWARK_K6;
    // Keep Go reachable but hide any k6 on PATH, as on a fresh machine.
    process.env.PATH = (saved.path ?? "").split(":").filter((dir) => !existsSync(join(dir, "k6"))).join(":");

    const built = await ensureK6();
    expect(built).toEqual({ path: join(cache, "k6", k6Version, "bin", "k6"), version: k6Version, source: "built" });
    expect(existsSync(built.path)).toBe(true);

    const reused = await ensureK6();
    expect(reused).toEqual({ ...built, source: "cache" });
  }, 900_000);
});
