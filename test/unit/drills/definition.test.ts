import { describe, expect, it } from "vitest";
import { drillSchema, resolveTargets } from "../../../chaos/drills/definition.ts";
import { assertDestructionAllowed } from "../../../chaos/drills/safety.ts";
import { ExitCode, ExitError } from "../../../scripts/core/errors.ts";

describe("drill definitions", () => {
  it("fills the documented defaults: 100 ms writes, 500 ms availability checks, targets from the config", () => {
    const drill = drillSchema.parse({ kind: "postgres-pitr" });
    expect(drill).toMatchObject({ writeProbe: { intervalMs: 100 }, availabilityProbe: { kind: "sql", intervalMs: 500 }, runner: "process" });
    expect(resolveTargets(drill)).toEqual({ rtoMs: 4 * 3_600_000, rpoMs: 15 * 60_000 });
    expect(resolveTargets(drill, { rto: "1h", rpo: "5m" })).toEqual({ rtoMs: 3_600_000, rpoMs: 300_000 });
    expect(resolveTargets({ ...drill, targets: { rpo: "30s" } }, { rto: "1h", rpo: "5m" })).toEqual({ rtoMs: 3_600_000, rpoMs: 30_000 });
  });

  it("rejects a Kubernetes drill that deletes a StatefulSet without naming its namespace", () => {
    const result = drillSchema.safeParse({
      kind: "kubernetes",
      availabilityProbe: { kind: "http", url: "http://127.0.0.1:8080/health" },
      disaster: { resource: "statefulset", name: "db" },
      restore: { velero: { backupName: "nightly" } },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join("."))).toContain("disaster.namespace");
  });
});

describe("destruction safety", () => {
  const attempt = (allowDestructive: boolean, confirmDestroy: string | undefined) => () =>
    assertDestructionAllowed({ drill: "postgres-pitr", environmentName: "staging", allowDestructive, confirmDestroy });

  it("needs both an environment that allows it and --confirm-destroy naming that environment", () => {
    expect(attempt(true, "staging")).not.toThrow();
    for (const [allowed, confirm, message] of [
      [false, "staging", /does not allow destructive drills/],
      [true, undefined, /confirm with --confirm-destroy staging/],
      [true, "production", /names 'production' but the drill would run in 'staging'/],
    ] as const) {
      let error: unknown;
      try {
        attempt(allowed, confirm)();
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ExitError);
      expect((error as ExitError).code).toBe(ExitCode.badInput);
      expect((error as ExitError).message).toMatch(message);
    }
  });
});
