import { engineLabel, type Check, type StepResult } from "../summary-schema.ts";
import { format, type Comparison } from "../run-history/baseline.ts";
import { checkCells, generatorFigures } from "../../scripts/core/format.ts";
import { checkVerdictLabel } from "../../scripts/core/step-result.ts";
import type { Phase, ReplicaTimeline, ReportInput } from "./report-input.ts";

/** The browser-side parts inlined into the page: the charting library and the script that draws. */
export interface ReportAssets {
  chartLibraryJs: string;
  chartLibraryCss: string;
  clientJs: string;
}

/** What the in-page script reads: times as Unix seconds, everything aligned for the charts. */
export interface ChartData {
  steps: { name: string; series: ReportInput["timeSeries"][string] | null; phases: ChartPhase[]; latencyLimits: Record<string, LatencyLimits>; extra: ExtraChart[] }[];
  replicas: { target: string; time: number[]; desired: number[]; ready: number[]; phases: ChartPhase[] }[];
}
/** An endpoint's latency limits by percentile series name (p95, p99): the charts mark seconds above them. */
type LatencyLimits = Partial<Record<"p50" | "p90" | "p95" | "p99", number>>;

/** What a step watched besides its load (replicas, alert state), one chart per unit, on one time axis (Unix seconds). */
export interface ExtraChart {
  unit: string;
  time: number[];
  series: { name: string; values: (number | null)[] }[];
}

/** Groups a step's extra series by unit and aligns them on the union of their times (a value holds until the next). */
export function extraCharts(step: StepResult): ExtraChart[] {
  const byUnit = new Map<string, NonNullable<StepResult["series"]>>();
  for (const series of step.series ?? []) byUnit.set(series.unit, [...(byUnit.get(series.unit) ?? []), series]);
  return [...byUnit].map(([unit, group]) => {
    const time = [...new Set(group.flatMap((series) => series.points.map(([ms]) => ms)))].sort((a, b) => a - b);
    return {
      unit,
      time: time.map((ms) => ms / 1000),
      series: group.map((series) => {
        const byTime = new Map(series.points.map(([ms, value]) => [ms, value]));
        let last: number | null = null;
        return { name: series.name, values: time.map((ms) => (byTime.has(ms) ? (last = byTime.get(ms) ?? null) : last)) };
      }),
    };
  });
}

interface ChartPhase {
  name: string;
  kind: Phase["kind"];
  start: number;
  end: number;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char] ?? char);

/** JSON inside <script> must not be able to close the tag. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");

const unixSeconds = (iso: string): number => Date.parse(iso) / 1000;

function chartPhase(phase: Phase): ChartPhase {
  return { name: phase.name, kind: phase.kind, start: unixSeconds(phase.start), end: unixSeconds(phase.end) };
}

const latencySelector = /^http_req_duration\{endpoint:([^}]+)\}$/;
const upperBound = /^p\((50|90|95|99)\)\s*<=?\s*/;

/** The whole-run percentile checks of one endpoint's latency, as summary.json holds them. */
export function latencyChecks(step: StepResult, endpoint: string): Check[] {
  return step.checks.filter((check) => check.kind === "threshold" && latencySelector.exec(check.metric ?? "")?.[1] === endpoint && upperBound.test(check.expression ?? ""));
}

function latencyLimits(step: StepResult): Record<string, LatencyLimits> {
  const limits: Record<string, LatencyLimits> = {};
  for (const check of step.checks) {
    const endpoint = latencySelector.exec(check.metric ?? "")?.[1];
    const percentile = upperBound.exec(check.expression ?? "")?.[1] as "50" | "90" | "95" | "99" | undefined;
    if (!endpoint || !percentile || check.limit === null || check.kind !== "threshold") continue;
    limits[endpoint] = { ...limits[endpoint], [`p${percentile}`]: check.limit };
  }
  return limits;
}

export function chartData(input: ReportInput): ChartData {
  return {
    steps: input.summary.steps.map((step) => ({
      name: step.name,
      series: input.timeSeries[step.name] ?? null,
      phases: input.phases.filter((phase) => phase.step === undefined || phase.step === step.name).map(chartPhase),
      latencyLimits: latencyLimits(step),
      extra: extraCharts(step),
    })),
    replicas: input.replicas.map((timeline: ReplicaTimeline) => ({
      target: timeline.target,
      time: timeline.samples.map((sample) => unixSeconds(sample.time)),
      desired: timeline.samples.map((sample) => sample.desired),
      ready: timeline.samples.map((sample) => sample.ready),
      phases: input.phases.map(chartPhase),
    })),
  };
}

function badge(verdict: string): string {
  return `<span class="badge ${escapeHtml(verdict)}">${escapeHtml(verdict.toUpperCase())}</span>`;
}

const isRegressed = (check: Check): boolean => check.kind === "regression" && check.reason.startsWith("regression");

/** Failed first, then no data, then regressions that do not gate: whoever opens a red report wants the reason at the top. */
function attentionRank(check: Check): number {
  if (check.verdict === "fail") return 0;
  if (check.verdict === "no-data") return 1;
  return isRegressed(check) ? 2 : 3;
}

function checkRows(rows: { step: StepResult; check: Check }[]): string {
  return rows
    .map(
      ({ step, check }) =>
        `<tr class="${escapeHtml(checkVerdictLabel(check))}${isRegressed(check) ? " regressed" : ""}"><td>${badge(isRegressed(check) && check.verdict === "pass" ? "regressed" : checkVerdictLabel(check))}</td><td>${escapeHtml(step.name)}</td><td>${escapeHtml(check.name)}</td><td>${escapeHtml(check.kind)}</td><td class="num">${escapeHtml(checkCells(check).observed)}</td><td class="num">${escapeHtml(checkCells(check).limit)}</td><td>${escapeHtml(check.reason)}</td></tr>`,
    )
    .join("\n");
}

function checksTable(steps: StepResult[]): string {
  const rows = steps.flatMap((step) => step.checks.map((check) => ({ step, check }))).sort((a, b) => attentionRank(a.check) - attentionRank(b.check));
  if (rows.length === 0) return `<p class="muted">No checks were evaluated.</p>`;
  const head = `<thead><tr><th>verdict</th><th>step</th><th>check</th><th>kind</th><th>observed</th><th>limit</th><th>reason</th></tr></thead>`;
  const attention = rows.filter((row) => attentionRank(row.check) < 3);
  const passed = rows.filter((row) => attentionRank(row.check) === 3);
  const attentionTable = attention.length > 0 ? `<table class="checks">${head}<tbody>\n${checkRows(attention)}\n</tbody></table>` : "";
  // Passing checks are folded away when something needs attention, and open when everything passed.
  const passedTable =
    passed.length > 0
      ? `<details${attention.length === 0 ? " open" : ""}><summary>${passed.length} check${passed.length === 1 ? "" : "s"} passed</summary><table class="checks">${head}<tbody>\n${checkRows(passed)}\n</tbody></table></details>`
      : "";
  return attentionTable + passedTable;
}

function comparisonSection(comparison: Comparison | null): string {
  if (!comparison) return "";
  const rows = comparison.metrics
    .filter((metric) => metric.status !== "insufficient-history")
    .map((metric) => {
      const change = metric.change === null ? "–" : `${metric.change >= 0 ? "+" : ""}${(metric.change * 100).toFixed(1)} %`;
      return `<tr class="${escapeHtml(metric.status)}"><td>${escapeHtml(metric.step)}</td><td>${escapeHtml(metric.endpoint)}</td><td>${escapeHtml(metric.metric)}</td><td class="num">${format(metric.baseline, metric.unit)}</td><td class="num">${format(metric.current, metric.unit)}</td><td class="num">${change}</td><td class="num">${metric.spread === null ? "–" : `±${format(metric.spread, metric.unit)}`}</td><td class="num">${format(metric.limit, metric.unit)}</td><td>${escapeHtml(metric.status)}</td></tr>`;
    });
  const table =
    rows.length === 0
      ? ""
      : `<table class="comparison"><thead><tr><th>step</th><th>endpoint</th><th>metric</th><th>baseline</th><th>this run</th><th>change</th><th>spread</th><th>limit</th><th>verdict</th></tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table>`;
  return `<section id="baseline"><h2>Against the baseline</h2><p class="headline ${escapeHtml(comparison.status)}">${escapeHtml(comparison.headline)}</p>${table}</section>`;
}

/** The step's dated events (fault injected, confirmed, removed, recovered, alert firing...). */
function timelineTable(step: StepResult): string {
  if (!step.timeline?.length) return "";
  const start = Date.parse(step.startedAt);
  const rows = step.timeline.map((event) => `<tr><td class="num">${escapeHtml(event.at.slice(11, 23))}</td><td class="num">+${((Date.parse(event.at) - start) / 1000).toFixed(1)} s</td><td>${escapeHtml(event.event)}</td><td>${escapeHtml(event.detail)}</td></tr>`);
  return `<details class="timeline" open><summary>timeline (${step.timeline.length} events)</summary><table class="timeline"><thead><tr><th>time (UTC)</th><th>since start</th><th>event</th><th>detail</th></tr></thead><tbody>${rows.join("")}</tbody></table></details>`;
}

function extraChartFigures(step: StepResult, index: number): string {
  return extraCharts(step)
    .map((chart, chartIndex) => `<figure class="extra-series"><figcaption>${escapeHtml(chart.series.map((series) => series.name).join(", "))} (${escapeHtml(chart.unit)})</figcaption><div class="chart" data-chart="extra" data-step="${index}" data-extra="${chartIndex}"></div></figure>`)
    .join("\n");
}

function stepSection(step: StepResult, index: number, input: ReportInput): string {
  const series = input.timeSeries[step.name];
  const watched = extraChartFigures(step, index);
  const header = `<h2>${escapeHtml(step.name)} ${badge(step.verdict)}</h2><p class="muted">${escapeHtml([step.kind, step.scenario, step.profile].filter(Boolean).join(" · "))} · ${(step.durationMs / 1000).toFixed(1)} s${step.error ? ` · ${escapeHtml(step.error)}` : ""}</p>${step.generator ? `<p class="muted generator">load generator: ${escapeHtml(generatorFigures(step.generator))}</p>` : ""}`;
  if (!series || series.time.length === 0) {
    return `<section class="step">${header}${timelineTable(step)}<p class="muted">No metric time series was recorded for this step.</p>${watched ? `<div class="grid">${watched}</div>` : ""}</section>`;
  }
  const endpointCharts = series.endpoints
    .map(
      (endpoint, endpointIndex) =>
        `<figure class="endpoint-latency" data-endpoint-name="${escapeHtml(endpoint.name)}"><figcaption>${escapeHtml(endpoint.name)}: latency percentiles per second (ms)</figcaption>${wholeRunLatency(step, endpoint.name)}<div class="chart" data-chart="endpoint-latency" data-step="${index}" data-endpoint="${endpointIndex}" data-endpoint-name="${escapeHtml(endpoint.name)}"></div><p class="marked muted" data-marked-for="${escapeHtml(endpoint.name)}"></p></figure>`,
    )
    .join("\n");
  return `<section class="step">${header}${timelineTable(step)}
<div class="grid">
${watched}
<figure><figcaption>p95 latency by endpoint (ms)</figcaption><div class="chart" data-chart="p95" data-step="${index}"></div></figure>
<figure><figcaption>requests per second by endpoint</figcaption><div class="chart" data-chart="rate" data-step="${index}"></div></figure>
<figure><figcaption>failed requests per second by endpoint</figcaption><div class="chart" data-chart="errors" data-step="${index}"></div></figure>
<figure><figcaption>virtual users and dropped iterations</figcaption><div class="chart" data-chart="vus" data-step="${index}"></div></figure>
${endpointCharts}
</div>${series.endpoints.length > 0 ? definitions : ""}</section>`;
}

/**
 * Beside an endpoint's per-second chart: its whole-run percentile checks as summary.json holds them (the
 * engine's value and the exact-count judgement), so a second above the limit is never read as the verdict.
 */
function wholeRunLatency(step: StepResult, endpoint: string): string {
  const checks = latencyChecks(step, endpoint);
  if (checks.length === 0) return "";
  const lines = checks.map(
    (check) =>
      `<p class="whole-run-check" data-expression="${escapeHtml(check.expression ?? "")}" data-verdict="${escapeHtml(checkVerdictLabel(check))}">${badge(checkVerdictLabel(check))} <b>whole run ${escapeHtml(check.expression ?? check.name)}</b>: <span class="reason">${escapeHtml(check.reason)}</span></p>`,
  );
  return `<div class="whole-run">${lines.join("")}</div>`;
}

const definitions = `<p class="muted definitions">Per-second curves: the nearest-rank percentile of the requests that finished in that second, from bulwark's log histogram (within 0.8 %); red points mark seconds above the endpoint's limit. Whole-run figures and verdicts: the engine's, over every request of the step; a percentile check passes when few enough requests were at or over the limit (exact counts, docs/reports.md).</p>`;

function replicaSection(input: ReportInput): string {
  if (input.replicas.length === 0) return "";
  const charts = input.replicas
    .map((timeline, index) => `<figure><figcaption>${escapeHtml(timeline.target)}: replicas</figcaption><div class="chart" data-chart="replicas" data-timeline="${index}"></div></figure>`)
    .join("\n");
  return `<section id="scaling"><h2>Scaling</h2><div class="grid">${charts}</div></section>`;
}

function phaseLegend(phases: Phase[]): string {
  if (phases.length === 0) return "";
  const items = phases.map((phase) => `<li><span class="swatch ${escapeHtml(phase.kind)}"></span>${escapeHtml(phase.name)} (${escapeHtml(phase.kind)}, ${escapeHtml(phase.start)} – ${escapeHtml(phase.end)})</li>`);
  return `<section id="phases"><h2>Shaded windows</h2><ul class="phases">${items.join("")}</ul></section>`;
}

const pageCss = `
:root { --pass: #1a7f37; --fail: #cf222e; --warn: #9a6700; --muted: #57606a; font-family: system-ui, sans-serif; color: #1f2328; }
body { margin: 0 auto; max-width: 1400px; padding: 16px 24px 48px; }
h1 { font-size: 1.5rem; margin: 0 0 4px; display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
h2 { font-size: 1.15rem; margin: 28px 0 6px; display: flex; gap: 10px; align-items: center; }
.muted { color: var(--muted); margin: 2px 0; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 12px; font-size: .8rem; font-weight: 600; color: #fff; background: var(--muted); }
.badge.pass { background: var(--pass); } .badge.fail, .badge.error { background: var(--fail); } .badge.invalid { background: #8250df; } .badge.no-data, .badge.aborted, .badge.regressed { background: var(--warn); }
h1 .badge { font-size: 1rem; padding: 4px 14px; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; margin-top: 8px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #d0d7de; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.fail td, tr.regression td, tr.regressed td { background: #ffebe9; } tr.invalid td { background: #fbefff; }
.whole-run { font-size: .85rem; margin: 2px 0 6px; } .whole-run p { margin: 2px 0; } .marked { font-size: .8rem; } tr.no-data td, tr.insufficient-history td { background: #fff8c5; }
.headline.regression { color: var(--fail); font-weight: 600; } .headline.insufficient-history { color: var(--warn); font-weight: 600; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(620px, 1fr)); gap: 12px 24px; }
figure { margin: 0; } figcaption { font-size: .85rem; font-weight: 600; margin: 6px 0; }
.links a { margin-right: 14px; }
details summary { cursor: pointer; margin: 8px 0; font-size: .9rem; }
.warnings { color: var(--warn); }
ul.phases { list-style: none; padding: 0; font-size: .85rem; } ul.phases li { margin: 2px 0; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: -1px; background: rgba(120,120,120,.25); }
.swatch.fault { background: rgba(207,34,46,.22); } .swatch.drill { background: rgba(9,105,218,.2); } .swatch.load { background: rgba(26,127,55,.18); }
.swatch.rollout { background: rgba(191,135,0,.22); } .swatch.rollback { background: rgba(130,80,223,.22); } .swatch.recovery { background: rgba(27,124,131,.18); }
table.timeline { font-size: .8rem; }
`;

/** report.html: one self-contained page (no network), verdict and checks first, then the charts. */
export function renderReportHtml(input: ReportInput, assets: ReportAssets): string {
  const { summary } = input;
  const links = [
    `<a href="summary.md">summary.md</a>`,
    `<a href="junit.xml">junit.xml</a>`,
    `<a href="summary.json">summary.json</a>`,
  ];
  const facts = [
    `run ${summary.runId}`,
    `environment ${summary.environment}`,
    `target ${summary.target}`,
    `started ${summary.startedAt}`,
    `${(summary.durationMs / 1000).toFixed(1)} s`,
    engineLabel(summary),
    `commit ${summary.gitCommit?.slice(0, 12) ?? "–"}`,
    `exit code ${summary.exitCode}`,
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>bulwark ${escapeHtml(summary.kind)} ${escapeHtml(summary.name)}: ${escapeHtml(summary.verdict)}</title>
<style>${assets.chartLibraryCss}</style>
<style>${pageCss}</style>
</head>
<body>
<header>
<h1>bulwark ${escapeHtml(summary.kind)} ${escapeHtml(summary.name)} ${badge(summary.verdict)}</h1>
<p class="muted">${facts.map(escapeHtml).join(" · ")}</p>
<p class="links">${links.join("")}</p>
${input.warnings.length > 0 ? `<p class="warnings">${input.warnings.map(escapeHtml).join("<br>")}</p>` : ""}
</header>
<section id="checks"><h2>Checks</h2>${checksTable(summary.steps)}</section>
${comparisonSection(input.comparison)}
${phaseLegend(input.phases)}
${summary.steps.map((step, index) => stepSection(step, index, input)).join("\n")}
${replicaSection(input)}
<script type="application/json" id="bulwark-chart-data">${scriptJson(chartData(input))}</script>
<script>${assets.chartLibraryJs.replace(/<\/script/gi, "<\\/script")}</script>
<script>${assets.clientJs.replace(/<\/script/gi, "<\\/script")}</script>
</body>
</html>
`;
}
