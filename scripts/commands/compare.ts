import { booleanFlag, stringFlag, type Command } from "./command.ts";
import { ExitCode, UsageError } from "../core/errors.ts";
import { bold, green, printJson, red, say, table, yellow } from "../core/output.ts";
import { defaultReportsRoot } from "../core/run-directory.ts";
import type { RunSummary } from "../../reports/summary-schema.ts";
import { compareWithHistory, compareWithRun, format, type Comparison, type MetricComparison } from "../../reports/run-history/baseline.ts";
import { defaultHistoryLocation, historyEnvVar, openHistoryStore } from "../../reports/run-history/history-store.ts";
import { regressionPolicySchema, type RegressionPolicy } from "../../thresholds/regression-policy.ts";
import { resolveRun } from "../../reports/run-history/resolve-run.ts";
import { loadConfig } from "../registry/config.ts";
import { quoteName } from "../core/quote-value.ts";

const statusText: Record<MetricComparison["status"], string> = {
  regression: red("REGRESSION"),
  ok: green("ok"),
  improved: green("improved"),
  "insufficient-history": yellow("insufficient history"),
  "no-data": yellow("no data"),
};

/** The suite's `regression` settings when the config has them; the defaults otherwise. */
async function policyFor(summary: RunSummary, configPath: string | undefined): Promise<RegressionPolicy> {
  const config = await loadConfig(configPath).catch((error: unknown) => {
    if (configPath) throw error;
    return null;
  });
  const suite = summary.kind === "gate" ? (config?.suites[summary.name] as { regression?: unknown } | undefined) : undefined;
  return regressionPolicySchema.parse(suite?.regression ?? {});
}

function parseLast(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`--last: expected a whole number of runs >= 1, got '${text}'`);
  return count;
}

function render(comparison: Comparison): string {
  const rows = [["step", "endpoint", "metric", "baseline", "current", "change", "spread", "limit", "verdict"]];
  for (const metric of comparison.metrics) {
    rows.push([
      metric.step,
      metric.endpoint,
      metric.metric,
      format(metric.baseline, metric.unit),
      format(metric.current, metric.unit),
      metric.change === null ? "–" : `${metric.change >= 0 ? "+" : ""}${(metric.change * 100).toFixed(1)} %`,
      metric.spread === null ? "–" : `±${format(metric.spread, metric.unit)}`,
      format(metric.limit, metric.unit),
      statusText[metric.status],
    ]);
  }
  return table(rows);
}

export const compareCommand: Command = {
  name: "compare",
  summary: "compare a run with its baseline (median of recent passing runs) and flag regressions",
  help: `Usage: bulwark compare <run-dir-or-id> [--baseline <run> | --last N] [--history <dir>] [--json]

Compares each endpoint's p95, p99 and error rate (the suite's 'regression.metrics' in the config)
with a baseline: by default the median of the last 5 passing runs of the same suite and environment
in the history. A metric regresses only when it is worse than the baseline by more than the relative
limit (10 %) AND by more than 3x the run-to-run spread of those runs, so noise does not cry wolf.
Fewer than 3 passing runs is reported as insufficient history, never as a pass.

<run-dir-or-id> is a run directory, its summary.json, a run id found under the reports folder
(--out, $BULWARK_REPORTS_DIR, default reports/) or in the history, or 'latest' (the newest run
directory in the reports folder).

Flags:
  --baseline <run>  compare with this one run instead (relative limit only: one run has no spread)
  --last N          the baseline is the median of the last N passing runs (default 5)
  --history <dir>   history folder (default $${historyEnvVar}, else history/ in the reports folder)
  --out <dir>       root folder of run directories, where run ids are looked up (default: reports/) [BULWARK_REPORTS_DIR]
  --config <file>   config whose suite settings apply (default bulwark.config.json)
  --json            the comparison as JSON on stdout

Exit codes: 0 no regression or insufficient history (said so on stderr and in --json "status"),
1 a regression, 2 bad input (missing or malformed run directory, bad flag).

Examples:
  bulwark compare latest
  bulwark compare reports/20261122T030000Z-gate-nightly-3f9a
  bulwark compare 20261122T030000Z-gate-nightly-3f9a --last 10 --json
  bulwark compare reports/20261122T030000Z-gate-nightly-3f9a --baseline 20261121T030000Z-gate-nightly-77c1
`,
  options: {
    baseline: { type: "string" },
    last: { type: "string" },
    history: { type: "string" },
    out: { type: "string" },
    config: { type: "string" },
  },
  async run(context) {
    const [reference, ...extra] = context.positionals;
    if (!reference) throw new UsageError("compare: missing <run-dir-or-id> (see 'bulwark compare --help')");
    if (extra.length > 0) throw new UsageError(`compare: unexpected argument ${quoteName(extra[0]!)}`);
    const baselineReference = stringFlag(context, "baseline");
    const last = parseLast(stringFlag(context, "last"));
    if (baselineReference && last !== undefined) throw new UsageError("compare: --baseline and --last exclude each other");

    const reportsRoot = stringFlag(context, "out", "BULWARK_REPORTS_DIR") ?? defaultReportsRoot();
    const history = openHistoryStore(stringFlag(context, "history") ?? defaultHistoryLocation(reportsRoot));
    const { summary } = await resolveRun(reference, reportsRoot, history);
    const policy = await policyFor(summary, stringFlag(context, "config"));

    let comparison: Comparison;
    if (baselineReference) {
      const baseline = await resolveRun(baselineReference, reportsRoot, history, "--baseline");
      comparison = compareWithRun(summary, baseline.summary, policy);
    } else {
      const { runs, unreadable } = await history.list();
      if (unreadable.length > 0) say(yellow(`bulwark compare: skipped ${unreadable.length} unreadable history entr${unreadable.length === 1 ? "y" : "ies"}, e.g. ${unreadable[0]}`));
      const effective = last === undefined ? policy : { ...policy, baselineRuns: last, minRuns: Math.min(policy.minRuns, last) };
      comparison = compareWithHistory(summary, runs, effective);
    }

    say(`${bold("bulwark compare")}: run ${summary.runId} (${summary.kind} ${summary.name}, env ${summary.environment})`);
    if (comparison.metrics.length > 0 && comparison.status !== "insufficient-history") say(render(comparison));
    const colour = comparison.status === "regression" ? red : comparison.status === "ok" ? green : yellow;
    say(colour(comparison.headline));
    if (booleanFlag(context, "json")) printJson(comparison);
    return comparison.status === "regression" ? ExitCode.checkFailed : ExitCode.pass;
  },
};
