// The runner image runs `bulwark gate nightly` with the project mounted (as the CronJob's pod does,
// read-only at /etc/bulwark), on the host's network, against a demo target on the host's 127.0.0.1.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { exec } from "../../scripts/core/exec.ts";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { startDemoTarget, type RunningDemoTarget } from "../../scripts/demo-target/launch.ts";
import { noFaults } from "../../scripts/demo-target/faults.ts";
import { ensureEngine } from "../../scripts/kinds/load/engine-binary.ts";
import { ensureRunnerImage } from "../../scripts/local/containers/runner-image.ts";

let image = "";
let target: RunningDemoTarget | undefined;

beforeAll(async () => {
  const engine = await ensureEngine();
  image = (await ensureRunnerImage({ engineBinary: engine.path, log: (line) => process.stderr.write(`${line}\n`) })).reference;
}, 600_000);

afterEach(async () => {
  await target?.stop();
  target = undefined;
});

/** bulwark's own config with an environment for the demo target at baseUrl, its loads shortened to seconds. */
function project(baseUrl: string): { folder: string; reports: string } {
  const config = JSON.parse(readFileSync(repoPath("bulwark.config.json"), "utf8")) as Record<string, any>;
  config.environments.host = {
    description: "the demo target on the host's loopback",
    baseUrl,
    healthPath: "/health",
    profiles: { smoke: { duration: "2s" }, load: { ratePerSecond: 20, duration: "3s", preAllocatedVUs: 5, maxVUs: 20 } },
  };
  config.defaultEnvironment = "host";
  delete config.$schema;
  const folder = mkdtempSync(join(tmpdir(), "bulwark-runner-project-"));
  chmodSync(folder, 0o755); // the image runs as nobody
  writeFileSync(join(folder, "bulwark.config.json"), JSON.stringify(config, null, 2));
  const reports = join(folder, "reports");
  mkdirSync(reports);
  chmodSync(reports, 0o777); // the image runs as nobody
  return { folder, reports };
}

async function gateInImage(faults: typeof noFaults) {
  target = await startDemoTarget(faults);
  const { folder, reports } = project(target.baseUrl);
  const result = await exec("docker", ["run", "--rm", "--network", "host", "-v", `${folder}:/etc/bulwark:ro`, "-v", `${reports}:/reports`, image, "gate", "nightly", "--out", "/reports"]);
  const runId = readdirSync(reports).find((entry) => /^\d/.test(entry));
  const summary = runId ? (JSON.parse(readFileSync(join(reports, runId, "summary.json"), "utf8")) as { verdict: string; steps: { name: string; verdict: string }[] }) : undefined;
  return { ...result, summary };
}

describe("runner image", () => {
  it("passes the nightly gate against a healthy demo target on the host's loopback (exit 0)", async () => {
    const { code, stderr, summary } = await gateInImage(noFaults);
    expect(code, stderr).toBe(0);
    expect(summary?.verdict).toBe("pass");
    expect(summary?.steps.map((step) => step.name)).toEqual(["smoke", "browse-catalog", "place-order"]);
  });

  it("fails it when the demo target answers 300 ms late (exit 1)", async () => {
    const { code, stderr, summary } = await gateInImage({ ...noFaults, latencyMs: 300 });
    expect(code, stderr).toBe(1);
    expect(summary?.verdict).toBe("fail");
  });
});
