import { describe, expect, it } from "vitest";
import { rolloutExpectationsSchema, rolloutTimings, rolloutCheckSchema } from "../../../scripts/kinds/rollout/definition.ts";
import { judgeRollout, type RolloutRecord } from "../../../scripts/kinds/rollout/judge.ts";

const goodCheck = rolloutCheckSchema.parse({ namespace: "ns", deployment: "web", change: { image: "web:2" }, expect: { completesWithin: "30s", restoreWithin: "10s" } });
const badCheck = rolloutCheckSchema.parse({ namespace: "ns", deployment: "web", change: { image: "web:bad" }, expect: { outcome: "rolled-back", detectWithin: "20s", restoreWithin: "5s" } });

function record(overrides: Partial<RolloutRecord>): RolloutRecord {
  return {
    changeAtMs: 1_000,
    rolloutEnd: "complete",
    rolloutEndAtMs: 31_000,
    rollback: { startedAtMs: 31_100, replicaSetRestoredAtMs: 41_100, sloHoldingAtMs: null, sloCounts: false },
    explanation: [],
    finalHash: "aaa",
    originalHash: "aaa",
    endsOnOriginalTemplate: true,
    ...overrides,
  };
}

const byName = (checks: ReturnType<typeof judgeRollout>, prefix: string) => checks.find((check) => check.name.startsWith(prefix))!;

describe("judging a rollout that should complete", () => {
  it("passes at exactly its budget and fails a millisecond over", () => {
    const timings = rolloutTimings(goodCheck);
    const atBudget = byName(judgeRollout(goodCheck.expect, timings, record({})), "rollout completes");
    expect([atBudget.verdict, atBudget.observed, atBudget.limit, atBudget.unit]).toEqual(["pass", 30, 30, "s"]);
    const over = byName(judgeRollout(goodCheck.expect, timings, record({ rolloutEndAtMs: 31_001, explanation: ["maxSurge 1 ..."] })), "rollout completes");
    expect(over.verdict).toBe("fail");
    expect(over.reason).toBe("every replica updated and available 30.0 s after the change: maxSurge 1 ...");
  });

  it("fails with the explanation when the rollout got stuck, and judges the revert's restore time", () => {
    const checks = judgeRollout(goodCheck.expect, rolloutTimings(goodCheck), record({ rolloutEnd: "deadline-exceeded", rolloutEndAtMs: 7_000, explanation: ["the Deployment reported ProgressDeadlineExceeded"] }));
    expect(byName(checks, "rollout completes")).toMatchObject({ verdict: "fail", observed: null, reason: "the rollout did not complete (gave up or failed after 6.0 s): the Deployment reported ProgressDeadlineExceeded" });
    expect(byName(checks, "restored within")).toMatchObject({ verdict: "pass", observed: 10, limit: 10 });
  });

  it("always says whether the Deployment ended on its original template", () => {
    const moved = judgeRollout(goodCheck.expect, rolloutTimings(goodCheck), record({ endsOnOriginalTemplate: false, finalHash: "bbb" }));
    expect(byName(moved, "Deployment ends")).toMatchObject({ verdict: "fail", reason: "the pod template differs from the one before the change (now pod-template-hash bbb, was aaa)" });
  });
});

describe("judging a deliberately bad change (rollback drill)", () => {
  const timings = rolloutTimings(badCheck);

  it("reports time to detect and by what, and time to restore from the rollback's start", () => {
    const checks = judgeRollout(badCheck.expect, timings, record({ rolloutEnd: "deadline-exceeded", rolloutEndAtMs: 7_000, rollback: { startedAtMs: 7_100, replicaSetRestoredAtMs: 8_400, sloHoldingAtMs: null, sloCounts: false } }));
    expect(byName(checks, "bad change detected")).toMatchObject({ verdict: "pass", observed: 6, limit: 20, reason: "detected by the progress deadline (ProgressDeadlineExceeded) 6.0 s after the change" });
    expect(byName(checks, "restored within")).toMatchObject({ verdict: "pass", observed: 1.3, limit: 5 });
  });

  it("fails when nothing detected it (the bad change rolled out), or when the restore is over budget", () => {
    const undetected = judgeRollout(badCheck.expect, timings, record({ rolloutEndAtMs: 4_000 }));
    expect(byName(undetected, "bad change detected")).toMatchObject({ verdict: "fail", observed: null, reason: "nothing detected it: the change rolled out completely in 3.0 s (every new pod became Ready)" });
    const slow = judgeRollout(badCheck.expect, timings, record({ rolloutEnd: "readiness-timeout", rolloutEndAtMs: 5_000, rollback: { startedAtMs: 5_000, replicaSetRestoredAtMs: 10_001, sloHoldingAtMs: null, sloCounts: false } }));
    expect(byName(slow, "restored within")).toMatchObject({ verdict: "fail", observed: 5.001, limit: 5 });
  });

  it("counts as restored only once the SLO holds again when it counts (real pods)", () => {
    const rollback = { startedAtMs: 5_000, replicaSetRestoredAtMs: 6_000, sloHoldingAtMs: 9_000, sloCounts: true };
    expect(byName(judgeRollout(badCheck.expect, timings, record({ rolloutEnd: "slo-breach", rolloutEndAtMs: 5_000, rollback })), "restored within")).toMatchObject({ observed: 4, verdict: "pass" });
    const never = judgeRollout(badCheck.expect, timings, record({ rolloutEnd: "slo-breach", rolloutEndAtMs: 5_000, rollback: { ...rollback, sloHoldingAtMs: null } }));
    expect(byName(never, "restored within")).toMatchObject({ verdict: "fail", observed: null });
    expect(byName(never, "restored within").reason).toContain("the SLO did not hold again");
  });
});

describe("rollout expectations as config", () => {
  it("need the budgets of their outcome and nothing else", () => {
    expect(rolloutExpectationsSchema.safeParse({ outcome: "completes" }).success).toBe(false);
    expect(rolloutExpectationsSchema.safeParse({ outcome: "rolled-back", detectWithin: "5s" }).success).toBe(false);
    expect(rolloutExpectationsSchema.safeParse({ completesWithin: "5s", detectWithin: "5s" }).success).toBe(false);
    expect(rolloutExpectationsSchema.parse({ completesWithin: "5s" }).outcome).toBe("completes");
  });

  it("take exactly one change, and judge an SLO only with a load", () => {
    const base = { namespace: "ns", deployment: "web", expect: { completesWithin: "5s" } };
    expect(rolloutCheckSchema.safeParse({ ...base, change: {} }).success).toBe(false);
    expect(rolloutCheckSchema.safeParse({ ...base, change: { image: "a", templatePatch: {} } }).success).toBe(false);
    const noLoad = rolloutCheckSchema.safeParse({ ...base, change: { image: "a" }, expect: { completesWithin: "5s", slo: { errorRate: 0 } } });
    expect(noLoad.success ? [] : noLoad.error.issues.map((issue) => issue.path.join("."))).toEqual(["expect.slo"]);
    expect(rolloutCheckSchema.safeParse({ ...base, namespace: "Not_A_Namespace", change: { image: "a" } }).success).toBe(false);
  });

  it("give up after twice the budget plus 30 s unless told otherwise", () => {
    expect(rolloutTimings(goodCheck)).toMatchObject({ beforeMs: 2000, completesWithinMs: 30_000, rolloutGiveUpMs: 90_000, rollbackGiveUpMs: 50_000 });
    const withTimeout = rolloutCheckSchema.parse({ ...goodCheck, timeout: "2m" });
    expect(rolloutTimings(withTimeout)).toMatchObject({ rolloutGiveUpMs: 120_000, rollbackGiveUpMs: 120_000 });
  });
});
