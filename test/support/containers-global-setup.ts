// Brings the container estate up once per test run: installs Docker's engine if missing, starts dockerd
// if it is not running, builds the images whose recipes changed (a cold machine: about 3 minutes).
import { execFileSync } from "node:child_process";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { up } from "../../scripts/local/containers/index.ts";

export default async function setup(): Promise<void> {
  // The status test drives the CLI bundle: make sure it is built from the current sources.
  execFileSync(process.execPath, [repoPath("scripts", "build.mjs")], { stdio: "inherit" });
  await up({ log: (line) => process.stderr.write(`[containers setup] ${line}\n`) });
}
