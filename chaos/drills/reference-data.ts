import type { ReferenceDataConfig } from "./definition.ts";
import { queryOnce } from "./sql.ts";

/** Row count and content checksum of the reference data set, taken the same way before and after. */
export interface ReferenceFingerprint {
  rows: number;
  checksum: string;
}

/** Loads a deterministic data set (ids 1..rows, a payload derived from the id), replacing any earlier one. */
export async function loadReferenceData(connectionString: string, config: ReferenceDataConfig): Promise<ReferenceFingerprint> {
  await queryOnce(connectionString, `DROP TABLE IF EXISTS ${config.table}`);
  await queryOnce(connectionString, `CREATE TABLE ${config.table} (id integer PRIMARY KEY, payload text NOT NULL)`);
  await queryOnce(connectionString, `INSERT INTO ${config.table} SELECT g, md5('bulwark-reference-' || g) FROM generate_series(1, $1::integer) AS g`, [config.rows]);
  return fingerprintReferenceData(connectionString, config);
}

export async function fingerprintReferenceData(connectionString: string, config: ReferenceDataConfig): Promise<ReferenceFingerprint> {
  const rows = await queryOnce<{ rows: string; checksum: string | null }>(
    connectionString,
    `SELECT count(*) AS rows, md5(coalesce(string_agg(id || ':' || payload, ',' ORDER BY id), '')) AS checksum FROM ${config.table}`,
    [],
    60_000,
  );
  const row = rows[0];
  return { rows: Number(row?.rows ?? 0), checksum: row?.checksum ?? "" };
}
