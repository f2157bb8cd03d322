import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { exec } from "../../scripts/core/exec.ts";
import { postgresPaths } from "../../scripts/local/containers/postgres.ts";
import { connect, containerExists, postgresForTest } from "../support/containers-fixture.ts";

const walSegment = /^[0-9A-F]{24}$/;
const scratch: string[] = [];
const scratchDir = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), `bulwark-${name}-`));
  scratch.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("PostgreSQL container", () => {
  it("writes and reads a table through a loopback port, and leaves no container behind", async () => {
    let containerId: string;
    {
      await using postgres = await postgresForTest();
      containerId = postgres.container.getId();
      expect(postgres.host).toBe("127.0.0.1");
      await using sql = await connect(postgres);
      await sql.query("create table drills (id serial primary key, name text not null)");
      await sql.query("insert into drills (name) values ($1), ($2)", ["restore", "failover"]);
      const { rows } = await sql.query<{ name: string }>("select name from drills order by id");
      expect(rows.map((row) => row.name)).toEqual(["restore", "failover"]);
      const version = await sql.query<{ server_version: string }>("show server_version");
      expect(version.rows[0]?.server_version).toMatch(/^15\./);
    }
    expect(await containerExists(containerId)).toBe(false);
  });

  it("archives WAL to a host folder and recovers a new container from a base backup", async () => {
    const archiveDir = scratchDir("wal");
    const dataDir = scratchDir("restored");
    let firstId: string;
    {
      await using primary = await postgresForTest({ archiveDir });
      firstId = primary.container.getId();
      await using sql = await connect(primary);
      await sql.query("create table ledger (beat int primary key)");
      await sql.query("insert into ledger select generate_series(1, 100)");
      // A base backup into the (host-visible) archive folder, taken inside the container.
      const backup = await primary.container.exec(
        ["pg_basebackup", "-h", "127.0.0.1", "-U", primary.user, "-D", `${postgresPaths.archive}/base`, "-X", "none", "--checkpoint=fast"],
        { env: { PGPASSWORD: primary.password } },
      );
      expect(backup.exitCode, backup.output).toBe(0);
      await sql.query("insert into ledger select generate_series(101, 150)");
      await sql.query("select pg_switch_wal()");
      await expect.poll(() => readdirSync(archiveDir).filter((file) => walSegment.test(file)).length, { timeout: 30_000, interval: 250 }).toBeGreaterThanOrEqual(2);
      await primary.stop({ timeoutSeconds: 0 });
    }
    expect(await containerExists(firstId)).toBe(false);

    // The disaster: the primary and its data are gone; restore = base backup + archived WAL.
    const copy = await exec("cp", ["-a", `${join(archiveDir, "base")}/.`, dataDir]);
    expect(copy.code, copy.stderr).toBe(0);
    await exec("touch", [join(dataDir, "recovery.signal")]);
    await using restored = await postgresForTest({
      dataDir,
      archiveDir,
      settings: { restore_command: `cp ${postgresPaths.archive}/%f %p`, recovery_target_action: "promote" },
    });
    await using sql = await connect(restored);
    await expect
      .poll(async () => (await sql.query<{ count: string }>("select count(*) from ledger")).rows[0]?.count, { timeout: 60_000, interval: 500 })
      .toBe("150");
  });
});
