import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { ensureEngine } from "../../scripts/kinds/load/engine-binary.ts";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { aptInstall } from "../../scripts/setup/apt-install.ts";

export const chromiumPath = "/usr/bin/chromium";

/**
 * The report tests open report.html in Debian's Chromium (no browser download: playwright-core only
 * drives it). Installs it on a fresh machine, builds the CLI and makes sure the load engine is built for a real run.
 */
export default async function setup(): Promise<void> {
  if (!existsSync(chromiumPath)) {
    process.stderr.write("reports: installing Debian's chromium (apt-get)\n");
    // A font, so that the screenshots people look at have readable text.
    await aptInstall("report tests", ["chromium", "fonts-dejavu-core"]);
  }
  execFileSync(process.execPath, [repoPath("scripts", "build.mjs")], { stdio: "inherit" });
  const engine = await ensureEngine((line) => process.stderr.write(line + "\n"));
  process.stderr.write(`reports: using ${engine.version} (${engine.source}) and ${chromiumPath}\n`);
}
