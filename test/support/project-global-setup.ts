// The `project` tests use bulwark as a user would: installed from its `npm pack` tarball into a folder
// outside the repository. The pack and one `npm install` (with TypeScript and @types/k6, which
// `bulwark init` adds as dev dependencies) happen once here; the tests share the installed folder.
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { ensureEngine } from "../../scripts/kinds/load/engine-binary.ts";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { installPinned } from "./user-project.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The folder holding the tarball and the shared install (install/). */
    projectWorkspace: string;
    /** The `npm pack` tarball of this checkout. */
    bulwarkTarball: string;
    /** A private copy of the load engine (BULWARK_ENGINE): other runs may rebuild or prune the user cache meanwhile. */
    bulwarkEngine: string;
  }
}

const log = (line: string) => process.stderr.write(`[project setup] ${line}\n`);

export default async function setup(project: TestProject): Promise<() => void> {
  execFileSync(process.execPath, [repoPath("scripts", "build.mjs")], { stdio: "inherit" });
  const workspace = mkdtempSync(join(tmpdir(), "bulwark-project-"));
  const privateEngine = join(workspace, "bulwark-engine");
  // Other runs on this machine may rebuild the engine (edited sources) and prune this build meanwhile.
  for (let attempt = 1; ; attempt++) {
    const engine = await ensureEngine(log);
    try {
      copyFileSync(engine.path, privateEngine);
      log(`using ${engine.version} (${engine.source})`);
      break;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
  chmodSync(privateEngine, 0o755);
  execFileSync("npm", ["pack", "--silent", "--pack-destination", workspace], { cwd: repoPath(), stdio: ["ignore", "ignore", "inherit"] });
  const tarball = join(workspace, readdirSync(workspace).find((name) => name.endsWith(".tgz"))!);
  const install = join(workspace, "install");
  mkdirSync(install);
  writeFileSync(join(install, "package.json"), JSON.stringify({ name: "user-service", version: "1.0.0", private: true }, null, 2) + "\n");
  const started = Date.now();
  execFileSync("npm", ["install", "--save-dev", "--no-audit", "--no-fund", "--prefer-offline", tarball, ...installPinned()], { cwd: install, stdio: ["ignore", "ignore", "inherit"] });
  log(`npm install of ${tarball} took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  project.provide("projectWorkspace", workspace);
  project.provide("bulwarkTarball", tarball);
  project.provide("bulwarkEngine", privateEngine);
  return () => rmSync(workspace, { recursive: true, force: true });
}
