// Acceptance 1: rollout-demo under load on the local cluster completes within its budget (exit 0), and
// the watched timeline shows the old and the new ReplicaSet crossing; the Deployment ends where it began.
import { join } from "node:path";
import { expect } from "vitest";
import { clusterTest } from "../support/cluster-fixture.ts";
import { runCli, temporaryReportsRoot } from "../support/run-cli.ts";
import { auditLines, checkNamed, demoRelease, expectSameRelease, requireStages, rolloutDemo, runSummary, valueAt } from "../support/rollout-fixture.ts";

const readyAfterMs = Number.parseFloat(rolloutDemo.readyAfter) * 1000;

clusterTest("rollout-demo completes under load within its budget; old and new ReplicaSets cross; then back on the original template", async ({ kube }) => {
  await requireStages(kube);
  const before = await demoRelease(kube);
  const reports = temporaryReportsRoot();
  const auditLog = join(reports, "audit.jsonl");
  const result = await runCli(["rollout", "rollout-demo", "--env", "local", "--out", reports], { BULWARK_AUDIT_LOG: auditLog });
  expect(result.code, result.stdout + result.stderr).toBe(0);

  const summary = runSummary(reports);
  const step = summary.steps[0]!;
  expect([summary.verdict, step.kind, step.verdict]).toEqual(["pass", "rollout", "pass"]);
  const completes = checkNamed(step, "rollout completes within");
  expect(completes.verdict).toBe("pass");
  // Ground truth from the KWOK stage: a new pod is Ready no sooner than readyAfter after it starts.
  expect(completes.observed! * 1000).toBeGreaterThanOrEqual(readyAfterMs);
  expect(completes.observed!).toBeLessThanOrEqual(completes.limit!);

  const phase = (kind: string) => step.phases!.find((candidate) => candidate.kind === kind)!;
  const [rolloutStart, rolloutEnd] = [Date.parse(phase("rollout").startedAt), Date.parse(phase("rollout").endedAt)];
  expect(phase("rollback")).toBeDefined();
  const old = step.series!.find((series) => series.name.startsWith("ready replicas, old ReplicaSet"))!;
  const fresh = step.series!.find((series) => series.name.startsWith("ready replicas, new ReplicaSet"))!;
  expect(old.name).toContain(before.hash!);
  // Before the change: all old, none new; at the rollout's end: none old, all new; in between both served.
  expect([valueAt(old.points, rolloutStart), valueAt(fresh.points, rolloutStart) ?? 0]).toEqual([rolloutDemo.replicas, 0]);
  expect([valueAt(old.points, rolloutEnd), valueAt(fresh.points, rolloutEnd)]).toEqual([0, rolloutDemo.replicas]);
  const during = [...old.points, ...fresh.points].map(([at]) => at).filter((at) => at > rolloutStart && at < rolloutEnd);
  expect(during.some((at) => (valueAt(old.points, at) ?? 0) > 0 && (valueAt(fresh.points, at) ?? 0) > 0)).toBe(true);
  expect(step.timeline!.some((event) => event.event === "rollout-complete")).toBe(true);

  // Simulated pods serve no traffic: the SLO during the rollout is reported, never as a pass.
  const slo = step.checks.filter((check) => check.kind === "expectation");
  expect(slo.length).toBe(4);
  expect(slo.every((check) => check.verdict === "no-data" && check.reason.startsWith("not applicable: simulated pods"))).toBe(true);

  expect(checkNamed(step, "Deployment ends on its original pod template").verdict).toBe("pass");
  expectSameRelease(await demoRelease(kube), before);
  const audit = auditLines(auditLog).map((line) => `${line.action} ${line.result}`);
  expect(audit).toEqual(["rollout.change started", "rollout.change succeeded", "rollout.undo succeeded"]);
});
