import { existsSync } from "node:fs";
import { join } from "node:path";
import { cacheDir } from "../../scripts/core/cache-dir.ts";
import { exec } from "../../scripts/core/exec.ts";

/** actionlint (github.com/rhysd/actionlint, MIT), a version the Go module proxy serves. */
export const actionlintVersion = "v1.7.7";

/** Builds actionlint from the Go module proxy into the user cache once, like the load engine. */
export async function ensureActionlint(): Promise<string> {
  const binDir = cacheDir("actionlint", actionlintVersion);
  const binary = join(binDir, "actionlint");
  if (existsSync(binary)) return binary;
  const result = await exec("go", ["install", `github.com/rhysd/actionlint/cmd/actionlint@${actionlintVersion}`], { env: { ...process.env, GOBIN: binDir, CGO_ENABLED: "0" } });
  if (result.code !== 0) throw new Error(`building actionlint failed: ${result.stderr}`);
  return binary;
}
