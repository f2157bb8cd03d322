// Acceptance 2: bad-release-demo's pods never become Ready; bulwark detects it by the progress deadline,
// rolls back (as kubectl rollout undo), reports time to detect and time to restore, fails only when a
// budget is exceeded, and the Deployment ends on its original pod template.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { clusterTest } from "../support/cluster-fixture.ts";
import { runCli, temporaryReportsRoot } from "../support/run-cli.ts";
import { auditLines, checkNamed, demoRelease, expectSameRelease, requireStages, rolloutDemo, runSummary } from "../support/rollout-fixture.ts";

const readyAfterS = Number.parseFloat(rolloutDemo.readyAfter);

/** The shipped config's base and environments, with one rollout check: bad-release-demo with another restore budget. */
function configWithRestoreBudget(restoreWithin: string): string {
  const shipped = JSON.parse(readFileSync(repoPath("bulwark.config.json"), "utf8"));
  const bad = shipped.rolloutChecks["bad-release-demo"];
  const config = {
    slo: shipped.slo,
    endpoints: shipped.endpoints,
    profiles: shipped.profiles,
    suites: {},
    environments: { local: shipped.environments.local },
    defaultEnvironment: "local",
    rolloutChecks: { "tight-restore": { ...bad, expect: { ...bad.expect, restoreWithin } } },
  };
  const path = join(mkdtempSync(join(tmpdir(), "bulwark-rollout-config-")), "bulwark.config.json");
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

describe("a bad release", () => {
  clusterTest("is detected by the progress deadline and rolled back within budget: exit 0, times reported, original template", async ({ kube }) => {
    await requireStages(kube);
    const before = await demoRelease(kube);
    const reports = temporaryReportsRoot();
    const auditLog = join(reports, "audit.jsonl");
    const result = await runCli(["rollout", "bad-release-demo", "--env", "local", "--out", reports], { BULWARK_AUDIT_LOG: auditLog });
    expect(result.code, result.stdout + result.stderr).toBe(0);

    const step = runSummary(reports).steps[0]!;
    const detected = checkNamed(step, "bad change detected within");
    expect(detected.verdict).toBe("pass");
    expect(detected.reason).toContain("the progress deadline (ProgressDeadlineExceeded)");
    // The controller cannot call the rollout stuck before progressDeadlineSeconds without progress.
    expect(detected.observed!).toBeGreaterThanOrEqual(rolloutDemo.progressDeadlineSeconds);
    const restored = checkNamed(step, "restored within");
    expect(restored.verdict).toBe("pass");
    // maxUnavailable 1 took one old pod away: the original ReplicaSet is whole only after a new pod's readiness delay.
    expect(restored.observed!).toBeGreaterThanOrEqual(readyAfterS);
    expect(step.timeline!.some((event) => event.event === "deployment-condition" && event.detail.includes("ProgressDeadlineExceeded"))).toBe(true);
    // The bad release never had a Ready pod.
    const fresh = step.series!.find((series) => series.name.startsWith("ready replicas, new ReplicaSet"))!;
    expect(Math.max(...fresh.points.map(([, value]) => value ?? 0))).toBe(0);
    expect(checkNamed(step, "Deployment ends on its original pod template").verdict).toBe("pass");
    expectSameRelease(await demoRelease(kube), before);
    expect(auditLines(auditLog).filter((line) => line.action === "rollout.undo").map((line) => line.detail)).toEqual([`rollback after deadline-exceeded: pod template of ReplicaSet ${before.hash} restored`]);
  });

  clusterTest("with a time-to-restore budget tighter than a pod's readiness delay fails (exit 1), still back on the original template", async ({ kube }) => {
    await requireStages(kube);
    const before = await demoRelease(kube);
    const reports = temporaryReportsRoot();
    const budget = `${(readyAfterS * 1000) / 2}ms`;
    const result = await runCli(["rollout", "tight-restore", "--env", "local", "--config", configWithRestoreBudget(budget), "--out", reports], { BULWARK_AUDIT_LOG: join(reports, "audit.jsonl") });
    expect(result.code, result.stdout + result.stderr).toBe(1);

    const step = runSummary(reports).steps[0]!;
    expect(checkNamed(step, "bad change detected within").verdict).toBe("pass");
    const restored = checkNamed(step, "restored within");
    expect(restored.verdict).toBe("fail");
    expect(restored.limit).toBe(readyAfterS / 2);
    expect(restored.observed!).toBeGreaterThanOrEqual(readyAfterS);
    expectSameRelease(await demoRelease(kube), before);
  });
});
