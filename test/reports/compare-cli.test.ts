import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FolderHistoryStore } from "../../reports/run-history/index.ts";
import { runCli } from "../support/run-cli.ts";
import { fakeRun, noisyHistory } from "../unit/reports/run-summaries.ts";

async function scratch(): Promise<string> {
  return mkdtemp(join(tmpdir(), "bulwark-compare-test-"));
}

describe("bulwark compare", () => {
  it("exits 2 with a clear message when the run directory does not exist", async () => {
    const root = await scratch();
    const missing = join(root, "20261122T000000Z-gate-nightly-dead");
    const { code, stderr, stdout } = await runCli(["compare", missing, "--out", root]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.trim()).toBe(`bulwark: run '${missing}' not found: no such directory, no run with that id in ${root} nor in the history at ${join(root, "history")}`);
  });

  it("exits 2 when the run directory has no summary.json", async () => {
    const root = await scratch();
    const { code, stderr } = await runCli(["compare", root, "--out", root]);
    expect(code).toBe(2);
    expect(stderr).toContain(`bulwark: run ${root}: no summary.json in it (is it a bulwark run directory?)`);
  });

  it("exits 2 when summary.json is not JSON, or not a run summary", async () => {
    const root = await scratch();
    const runDirectory = join(root, "20261122T000000Z-gate-nightly-0bad");
    await mkdir(runDirectory);
    await writeFile(join(runDirectory, "summary.json"), "{ truncated");
    const notJson = await runCli(["compare", runDirectory, "--out", root]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/^bulwark: run .*summary\.json: not valid JSON \(/);

    const { steps: _steps, ...withoutSteps } = fakeRun({ day: 1, p95: 100 });
    await writeFile(join(runDirectory, "summary.json"), JSON.stringify(withoutSteps));
    const notSummary = await runCli(["compare", runDirectory, "--out", root]);
    expect(notSummary.code).toBe(2);
    expect(notSummary.stderr).toMatch(/summary\.json: not a bulwark run summary: steps: /);
    expect(notSummary.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("exits 2 on contradictory or malformed flags", async () => {
    const root = await scratch();
    expect((await runCli(["compare", "x", "--last", "0", "--out", root])).code).toBe(2);
    expect((await runCli(["compare", "x", "--last", "3", "--baseline", "y", "--out", root])).code).toBe(2);
  });

  it("flags a regression against the history (exit 1, --json), finds runs by id, and says when history is insufficient", async () => {
    const root = await scratch();
    const store = new FolderHistoryStore(join(root, "history"));
    for (const run of noisyHistory(6, 100, 0.02)) await store.append(run);
    const regressed = fakeRun({ day: 30, p95: 125, p99: 150 });
    const runDirectory = join(root, regressed.runId);
    await mkdir(runDirectory);
    await writeFile(join(runDirectory, "summary.json"), JSON.stringify(regressed));

    const { code, stdout, stderr } = await runCli(["compare", regressed.runId, "--out", root, "--json"]);
    expect(code, stderr).toBe(1);
    const comparison = JSON.parse(stdout);
    expect(comparison.status).toBe("regression");
    expect(comparison.baseline.runIds).toHaveLength(5);
    expect(stderr).toMatch(/list-items\s+p95\s+\d+(\.\d)? ms\s+125 ms\s+\+2\d\.\d %.*REGRESSION/);

    const few = await runCli(["compare", runDirectory, "--out", root, "--history", join(root, "empty-history")]);
    expect(few.code).toBe(0);
    expect(few.stderr).toContain("insufficient history: 0 passing run(s) of gate nightly on local found, 3 needed for a baseline; nothing was compared, this is not a pass");

    const latest = await runCli(["compare", "latest", "--out", root, "--json"]);
    expect(latest.code, latest.stderr).toBe(1);
    expect(JSON.parse(latest.stdout).runId).toBe(regressed.runId);
    const noRuns = await runCli(["compare", "latest", "--out", join(root, "history")]);
    expect(noRuns.code).toBe(2);
    expect(noRuns.stderr).toContain("run 'latest': no run directory with a summary.json in");

    const againstOne = await runCli(["compare", runDirectory, "--out", root, "--baseline", noisyHistory(1, 100, 0)[0]!.runId, "--json"]);
    expect(againstOne.code, againstOne.stderr).toBe(1);
    expect(JSON.parse(againstOne.stdout).baseline.source).toBe("run");
  });
});
