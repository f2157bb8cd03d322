import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { ensureK6 } from "../../scripts/k6/ensure-k6.ts";
import { repoPath } from "../../scripts/lib/repo-root.ts";
import { aptInstall } from "../../scripts/lib/apt-install.ts";

export const chromiumPath = "/usr/bin/chromium";

/**
 * The report tests open report.html in Debian's Chromium (no browser download: playwright-core only
 * drives it). Installs it on a fresh machine, builds the CLI and makes sure k6 is there for a real run.
 */
export default async function setup(): Promise<void> {
  if (!existsSync(chromiumPath)) {
    process.stderr.write("reports: installing Debian's chromium (apt-get)\n");
    // A font, so that the screenshots people look at have readable text.
    await aptInstall("report tests", ["chromium", "fonts-dejavu-core"]);
  }
  execFileSync(process.execPath, [repoPath("scripts", "build.mjs")], { stdio: "inherit" });
  const k6 = await ensureK6((line) => process.stderr.write(line + "\n"));
  process.stderr.write(`reports: using k6 ${k6.version} (${k6.source}) and ${chromiumPath}\n`);
}
