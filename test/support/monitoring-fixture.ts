// A monitoring estate of the test's own (its own state folder, containers and ports), so tests choose
// their rules and intervals without touching the shared one; removed with `await using`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { down, up, type MonitoringConnection, type MonitoringIntervals } from "../../scripts/local/monitoring/index.ts";

/** 1 s scrapes and evaluations, Alertmanager's first notification 1 s after a group forms. */
export const testIntervals: MonitoringIntervals = { scrapeSeconds: 1, evaluationSeconds: 1, groupWaitSeconds: 1, groupIntervalSeconds: 2 };

export interface TestMonitoring extends MonitoringConnection, AsyncDisposable {
  stateDir: string;
  /** Environment for a CLI child process that should find this estate. */
  env: NodeJS.ProcessEnv;
}

/**
 * Starts Prometheus and Alertmanager with `ruleFiles` (default: the shipped demo rules). While it runs,
 * BULWARK_MONITORING_STATE_DIR points this process at it (test files run one at a time).
 */
export async function startTestMonitoring(options: { ruleFiles?: string[]; intervals?: Partial<MonitoringIntervals> } = {}): Promise<TestMonitoring> {
  const stateDir = mkdtempSync(join(tmpdir(), "bulwark-monitoring-"));
  const previous = process.env.BULWARK_MONITORING_STATE_DIR;
  process.env.BULWARK_MONITORING_STATE_DIR = stateDir;
  const restore = () => {
    if (previous === undefined) delete process.env.BULWARK_MONITORING_STATE_DIR;
    else process.env.BULWARK_MONITORING_STATE_DIR = previous;
  };
  try {
    const connection = await up({ log: () => undefined, intervals: { ...testIntervals, ...options.intervals }, ...(options.ruleFiles ? { ruleFiles: options.ruleFiles } : {}) });
    return {
      ...connection,
      stateDir,
      env: { BULWARK_MONITORING_STATE_DIR: stateDir },
      [Symbol.asyncDispose]: async () => {
        process.env.BULWARK_MONITORING_STATE_DIR = stateDir;
        await down({ log: () => undefined });
        restore();
        rmSync(stateDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await down({ log: () => undefined });
    restore();
    throw error;
  }
}

/** One instant query; the result vector. */
export async function promQuery(prometheusUrl: string, query: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`, { signal: AbortSignal.timeout(5_000) });
  const body = (await response.json()) as { status: string; error?: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  if (body.status !== "success") throw new Error(`query ${query}: ${body.error}`);
  return body.data.result;
}
