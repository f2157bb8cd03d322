import { execFileSync } from "node:child_process";
import { ensureEngine } from "../../scripts/kinds/load/engine-binary.ts";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { chromiumPath, installChromium } from "../../scripts/setup/chromium.ts";

export { chromiumPath };

/**
 * The report tests open report.html in Debian's Chromium (no browser download: playwright-core only
 * drives it). Installs it on a fresh machine the way `bulwark setup --chromium` does (npm test has
 * already run that), builds the CLI and makes sure the load engine is built for a real run.
 */
export default async function setup(): Promise<void> {
  await installChromium((line) => process.stderr.write(`reports: ${line}\n`));
  execFileSync(process.execPath, [repoPath("scripts", "build.mjs")], { stdio: "inherit" });
  const engine = await ensureEngine((line) => process.stderr.write(line + "\n"));
  process.stderr.write(`reports: using ${engine.version} (${engine.source}) and ${chromiumPath}\n`);
}
