import type { RunSummary } from "../../../reports/summary-schema.ts";

export interface FakeRun {
  p95: number;
  p99?: number;
  errorRate?: number;
  verdict?: RunSummary["verdict"];
  environment?: string;
  name?: string;
  day: number;
  /** A run recorded under k6 (interpolated percentiles) rather than on bulwark's engine. */
  k6?: boolean;
}

/** A gate run summary with one step and one endpoint, as the gate writes it. */
export function fakeRun(run: FakeRun): RunSummary {
  const startedAt = new Date(Date.UTC(2026, 9, 1) + run.day * 86_400_000).toISOString();
  const finishedAt = new Date(Date.parse(startedAt) + 60_000).toISOString();
  const name = run.name ?? "nightly";
  const verdict = run.verdict ?? "pass";
  return {
    schemaVersion: 1,
    runId: `${startedAt.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}-gate-${name}-${String(run.day).padStart(4, "0")}`,
    kind: "gate",
    name,
    startedAt,
    finishedAt,
    durationMs: 60_000,
    gitCommit: null,
    environment: run.environment ?? "local",
    target: "http://127.0.0.1:8080",
    tool: { name: "bulwark", version: "0.1.0" },
    ...(run.k6 ? { k6Version: "v1.8.1" } : { engineVersion: "bulwark-engine 0.1.0+0123456789abcdef" }),
    verdict,
    exitCode: verdict === "pass" ? 0 : verdict === "fail" ? 1 : 3,
    steps: [
      {
        name: "browse-catalog",
        kind: "scenario",
        startedAt,
        finishedAt,
        durationMs: 60_000,
        verdict,
        checks: [],
        artifacts: {},
        endpoints: [
          {
            name: "list-items",
            criticality: "critical",
            requests: 6000,
            ratePerSecond: 100,
            errorRate: run.errorRate ?? 0,
            latencyMs: { avg: run.p95 * 0.6, p50: run.p95 * 0.5, p90: run.p95 * 0.9, p95: run.p95, p99: run.p99 ?? run.p95 * 1.5, max: run.p95 * 3 },
          },
        ],
      },
    ],
  };
}

/** Deterministic noise: a history recorded on a machine whose p95 wobbles by up to ±amplitude. */
export function noisyHistory(count: number, center: number, amplitude: number, seed = 7): RunSummary[] {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: count }, (_, day) => fakeRun({ day, p95: center * (1 + amplitude * (2 * random() - 1)) }));
}
