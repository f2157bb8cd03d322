import { formatRanges, toRanges } from "./ledger.ts";
import type { ReferenceFingerprint } from "./reference-data.ts";
import type { LedgerComparison } from "./recovery-metrics.ts";

export interface IntegrityCheck {
  name: string;
  expected: string | number;
  observed: string | number | null;
  verdict: "pass" | "fail";
  reason: string;
}

/** Row count and checksum of the reference data after the restore, against the fingerprint taken before the disaster. */
export function referenceChecks(expected: ReferenceFingerprint, observed: ReferenceFingerprint | null, readError?: string): IntegrityCheck[] {
  if (observed === null) {
    const reason = `reference data unreadable after the restore: ${readError ?? "no data store"}`;
    return [
      { name: "reference row count", expected: expected.rows, observed: null, verdict: "fail", reason },
      { name: "reference checksum", expected: expected.checksum, observed: null, verdict: "fail", reason },
    ];
  }
  const rowsMatch = observed.rows === expected.rows;
  const checksumMatches = observed.checksum === expected.checksum;
  return [
    {
      name: "reference row count",
      expected: expected.rows,
      observed: observed.rows,
      verdict: rowsMatch ? "pass" : "fail",
      reason: rowsMatch ? `${observed.rows} rows, as loaded` : `${observed.rows} rows after the restore, ${expected.rows} loaded`,
    },
    {
      name: "reference checksum",
      expected: expected.checksum,
      observed: observed.checksum,
      verdict: checksumMatches ? "pass" : "fail",
      reason: checksumMatches ? "content identical to the data set loaded before the disaster" : "content differs from the data set loaded before the disaster",
    },
  ];
}

/** The ledger after a restore may lose its newest writes (that is the RPO), never older ones. */
export function ledgerChecks(comparison: LedgerComparison | null, readError?: string): IntegrityCheck[] {
  if (comparison === null) {
    return [{ name: "ledger readable", expected: "rows of this run", observed: null, verdict: "fail", reason: `ledger table unreadable after the restore: ${readError ?? "no data store"}` }];
  }
  const noHoles = comparison.holes.length === 0;
  return [
    {
      name: "ledger has no holes",
      expected: 0,
      observed: comparison.holes.length,
      verdict: noHoles ? "pass" : "fail",
      reason: noHoles
        ? `${comparison.survived} of ${comparison.acknowledged} acknowledged writes survived as one unbroken prefix`
        : `acknowledged writes missing before the newest survivor: ${formatRanges(toRanges(comparison.holes))}`,
    },
  ];
}
