import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ensureActionlint } from "../support/actionlint.ts";
import { readJson, sh, writeJson } from "../support/user-project.ts";
import { UserService, userServiceEndpoints } from "../support/user-service.ts";

const workspace = inject("projectWorkspace");
const installedCli = join(workspace, "install", "node_modules", "bulwark", "bin", "bulwark.mjs");
let service: UserService;

beforeAll(async () => {
  service = await new UserService().start();
});
afterAll(async () => {
  await service.stop();
});

/**
 * A scratch repository as CI checks it out: the user's package.json and lock file (no node_modules:
 * the template's `npm ci` installs), `bulwark init`'s files with the service's endpoints, a git repo.
 */
function scratchRepository(name: string): string {
  const folder = mkdtempSync(join(workspace, `${name}-`));
  for (const file of ["package.json", "package-lock.json"]) copyFileSync(join(workspace, "install", file), join(folder, file));
  execFileSync(process.execPath, [installedCli, "init", "--target", service.url], { cwd: folder, stdio: "ignore" });
  const config = readJson(join(folder, "bulwark.config.json"));
  config.endpoints = userServiceEndpoints;
  writeJson(join(folder, "bulwark.config.json"), config);
  execFileSync("git", ["init", "-q"], { cwd: folder });
  return folder;
}

const lastRunFolder = (repository: string): string => join(repository, "reports", readdirSync(join(repository, "reports")).filter((entry) => /^\d{8}T/.test(entry)).sort().at(-1)!);

describe("the CI templates bulwark init writes", () => {
  it("the GitHub workflow passes actionlint; a broken copy fails it", async () => {
    const actionlint = await ensureActionlint();
    const repository = scratchRepository("actionlint");
    const workflow = join(repository, ".github", "workflows", "bulwark.yml");
    const good = await sh(`${actionlint} -no-color ${workflow}`, repository);
    expect(good.code, good.stdout + good.stderr).toBe(0);

    const broken = join(repository, ".github", "workflows", "broken.yml");
    writeFileSync(broken, readFileSync(workflow, "utf8").replace("runs-on: ubuntu-latest", "runs-on: ubuntu-latest\n    timeout-minutes: soon").replace("${{ github.run_id }}", "${{ github.run_idd }}"));
    const bad = await sh(`${actionlint} -no-color ${broken}`, repository);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("broken.yml");
  });

  it("the GitHub workflow's run steps, in order, pass in a scratch repository", async () => {
    const repository = scratchRepository("github");
    const workflow = parse(readFileSync(join(repository, ".github", "workflows", "bulwark.yml"), "utf8")) as { on: Record<string, unknown>; jobs: Record<string, { steps: { run?: string; uses?: string; env?: Record<string, string> }[] }> };
    expect(Object.keys(workflow.on)).toEqual(["schedule", "workflow_dispatch"]);
    const steps = workflow.jobs.gate!.steps;
    expect(steps.map((step) => step.uses).filter(Boolean)).toEqual(expect.arrayContaining(["actions/cache@v4", "actions/upload-artifact@v4"]));
    const stepSummary = join(repository, "step-summary.md");
    writeFileSync(stepSummary, "");
    service.hits.clear();
    for (const step of steps.filter((candidate) => candidate.run !== undefined)) {
      const result = await sh(`set -eo pipefail\n${step.run!}`, repository, { CI: "true", GITHUB_WORKSPACE: repository, GITHUB_STEP_SUMMARY: stepSummary, ...step.env });
      expect(result.code, `${step.run}\n${result.stderr}`).toBe(0);
    }
    expect(service.hits.size).toBeGreaterThan(0);
    expect(readFileSync(stepSummary, "utf8")).toContain("pass");
    expect(readJson(join(lastRunFolder(repository), "summary.json")).verdict).toBe("pass");
  });

  it("the GitLab job's script and after_script lines, in order, pass in a scratch repository", async () => {
    const repository = scratchRepository("gitlab");
    const job = (parse(readFileSync(join(repository, ".gitlab-ci.yml"), "utf8")) as Record<string, { script: string[]; after_script: string[]; variables: Record<string, string>; artifacts: { reports: { junit: string } } }>)["bulwark-gate"]!;
    expect(job.artifacts.reports.junit).toBe("reports/*/junit.xml");
    // No BULWARK_ENGINE: the job builds the engine into its own cache folder, as on a GitLab runner.
    const runner = { CI: "true", CI_PROJECT_DIR: repository, BULWARK_ENGINE: "" };
    const variables = Object.fromEntries(Object.entries(job.variables).map(([name, value]) => [name, value.replace(/\$(\w+)/g, (_, key: string) => (runner as Record<string, string>)[key] ?? "")]));
    const script = await sh(`set -eo pipefail\n${job.script.join("\n")}`, repository, { ...runner, ...variables });
    expect(script.code, script.stderr).toBe(0);
    const afterScript = await sh(`set -eo pipefail\n${job.after_script.join("\n")}`, repository, { ...runner, ...variables });
    expect(afterScript.code, afterScript.stderr).toBe(0);
    expect(afterScript.stdout).toContain("pass");
    expect(readJson(join(lastRunFolder(repository), "summary.json")).verdict).toBe("pass");
  });
});
