import { describe, expect, it } from "vitest";
import { exec } from "../../scripts/core/exec.ts";
import { engineSourceDir } from "../../scripts/kinds/load/engine-binary.ts";

/**
 * The engine's own Go tests: statistics on known sample sets (exact percentile counts, rates), the
 * arrival-rate schedule, option validation, the JavaScript runtime and its HTTP semantics against
 * loopback test servers. They run here so that `npm test` (and CI) runs them too.
 */
describe("the load engine's Go tests", () => {
  it("go test ./... passes", async () => {
    const result = await exec("go", ["test", "-count=1", "./..."], { cwd: engineSourceDir(), env: { ...process.env, GOFLAGS: `${process.env.GOFLAGS ?? ""} -buildvcs=false`.trim() } });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    for (const pkg of ["executor", "jsrt", "metrics", "runner"]) expect(result.stdout).toMatch(new RegExp(`^ok\\s+bulwark\\.dev/engine/${pkg}\\s`, "m"));
  }, 600_000);
});
