import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startDrill, type DrillHookContext } from "../../chaos/drills/index.ts";
import { queryOnce } from "../../chaos/drills/sql.ts";
import { withDrills } from "../../chaos/drills/definition.ts";
import { loadConfig, validateConfig } from "../../scripts/registry/config.ts";
import { postgresContainers } from "../../scripts/local/containers/postgres.ts";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { drillSandbox } from "../support/drill-fixture.ts";

const cadenceMs = 100;
const unarchivedWrites = 25;

/** What the test itself knows about the loss, independent of the drill's own arithmetic. */
interface ArchivePoint {
  lastArchivedSeq: number;
  /** When the write probe went quiet with everything up to lastArchivedSeq about to be archived. */
  quietAt: number;
}

const auditLogBefore = process.env.BULWARK_AUDIT_LOG;
afterEach(() => {
  if (auditLogBefore === undefined) delete process.env.BULWARK_AUDIT_LOG;
  else process.env.BULWARK_AUDIT_LOG = auditLogBefore;
});

describe("postgres-pitr ground truth", () => {
  it.each(["process", "container"] as const)("measures the RPO of a loss window the test controls, and lists exactly the unarchived writes as lost (%s runner)", async (runner) => {
    using sandbox = drillSandbox();
    process.env.BULWARK_AUDIT_LOG = sandbox.auditLog;
    const base = withDrills(await loadConfig(repoPath("bulwark.config.json")));
    const result = validateConfig({
      ...base,
      drills: {
        ...base.drills,
        "pitr-ground-truth": {
          kind: "postgres-pitr",
          runner,
          // No timed segment switches: the only archived WAL is what the test switches out itself.
          archiveTimeout: "1h",
          // Archiving stops once the test creates PAUSED in the archive folder.
          archiveCommand: "test ! -f '{archive}/PAUSED' && test ! -f '{archive}/%f' && cp '%p' '{archive}/%f'",
          warmup: "1s",
          restoreTimeout: "2m",
          writeProbe: { intervalMs: cadenceMs },
          reference: { rows: 200 },
        },
      },
    });
    if ("errors" in result) throw new Error(result.errors.join("; "));

    let archivePoint: ArchivePoint | undefined;
    const beforeDisaster = async ({ writeProbe, runner, clock }: DrillHookContext) => {
      const probe = writeProbe!;
      const url = runner.sqlEndpoint!()!;
      const archive = runner.paths.archive!;
      await probe.pause();
      const quietAt = clock.now();
      const lastArchivedSeq = probe.ledger.lastAcknowledged()!.seq;
      // Force the segment holding every write so far into the archive, then stop archiving.
      const [switched] = await queryOnce<{ segment: string }>(url, "SELECT pg_walfile_name(pg_switch_wal()) AS segment");
      await vi.waitFor(() => expect(existsSync(join(archive, switched!.segment))).toBe(true), { timeout: 30_000, interval: 50 });
      writeFileSync(join(archive, "PAUSED"), "");
      probe.resume();
      // A known number of writes that can never reach the archive.
      await vi.waitFor(() => expect(probe.ledger.acknowledged().length).toBeGreaterThanOrEqual(lastArchivedSeq + unarchivedWrites), { timeout: 60_000, interval: 20 });
      archivePoint = { lastArchivedSeq, quietAt };
    };

    const { evidence } = await startDrill({
      config: withDrills(result.config),
      drill: "pitr-ground-truth",
      environment: "local",
      confirmDestroy: "local",
      log: () => undefined,
      signal: new AbortController().signal,
      hooks: { beforeDisaster },
      reportsRoot: sandbox.reportsRoot,
      postgresContainers,
    });
    expect(evidence.verdict, JSON.stringify(evidence.steps.filter((step) => step.result !== "ok"))).toBe("pass");
    expect(archivePoint).toBeDefined();
    const known = archivePoint!;

    // The ledger as the drill wrote it: every acknowledged write after the archive point is unarchived.
    const ledger = readFileSync(join(sandbox.runDirectories()[0]!, "ledger.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line) as { seq: number; ackedAt?: number });
    const unarchivedSeqs = ledger.filter((entry) => entry.ackedAt !== undefined && entry.seq > known.lastArchivedSeq).map((entry) => entry.seq);
    expect(unarchivedSeqs.length).toBeGreaterThanOrEqual(unarchivedWrites);

    expect(evidence.rpo.lostSeqs).toEqual(unarchivedSeqs);
    expect(evidence.rpo.newestSurvivingSeq).toBe(known.lastArchivedSeq);
    expect(evidence.rpo.unacknowledgedSurvivors).toEqual([]);

    // The loss window the test made: from the moment writes went quiet at the archive point to the disaster.
    const disasterAt = Date.parse(evidence.timeline.disasterAt!);
    const knownWindowMs = disasterAt - known.quietAt;
    expect(knownWindowMs).toBeGreaterThanOrEqual(unarchivedWrites * cadenceMs - cadenceMs);
    const marginMs = 50;
    expect(Math.abs(evidence.rpo.ms! - knownWindowMs)).toBeLessThanOrEqual(cadenceMs + marginMs);
    expect(evidence.rpo.precisionMs).toBe(cadenceMs);
  });
});
