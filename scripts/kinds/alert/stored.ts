// The instants Prometheus itself stored while the fault was on: the target's scrapes (samples of `up`),
// the first instant the rule's expression held, and the rule evaluations that made the alert pending and
// firing (samples of ALERTS). These make the decomposition exact, independent of bulwark's polling.
import type { AlertFacts } from "./facts.ts";
import type { PrometheusApi } from "./prometheus-api.ts";

const selectorValue = (value: string): string => JSON.stringify(value);
const sameLabels = (wanted: Record<string, string>, series: Record<string, string>): boolean => Object.entries(series).every(([name, value]) => name === "__name__" || wanted[name] === undefined || wanted[name] === value);

/** Finer than both intervals, and at most 600 points per query. */
const stepSecondsFor = (windowMs: number, intervalSeconds: number): number => Math.max(intervalSeconds / 10, windowMs / 1000 / 600, 0.01);

/**
 * `alertLabels`: the labels of the alert instance seen while firing (alertname, job, rule labels...);
 * `job`: the scrape job of the target under test, when known.
 */
export async function readStoredInstants(prometheus: PrometheusApi, facts: Pick<AlertFacts, "alert" | "rule" | "faultStartMs" | "scrapeIntervalSeconds">, alertLabels: Record<string, string>, job: string | undefined): Promise<AlertFacts["stored"]> {
  const stored: AlertFacts["stored"] = {};
  const alertSelector = (state: string) => `ALERTS{${Object.entries({ ...alertLabels, alertstate: state }).map(([name, value]) => `${name}=${selectorValue(value)}`).join(",")}}`;
  const first = (series: { samples: { atMs: number }[] }[]): number | undefined => series.flatMap((one) => one.samples.map((sample) => sample.atMs)).sort((a, b) => a - b)[0];

  stored.firingMs = first(await prometheus.samplesSince(alertSelector("firing"), facts.faultStartMs));
  const pendingMs = first(await prometheus.samplesSince(alertSelector("pending"), facts.faultStartMs));
  // `for: 0` skips pending: the evaluation that found the expression true made it fire.
  stored.activeMs = pendingMs ?? (facts.rule.forSeconds === 0 ? stored.firingMs : undefined);

  const scrapeJob = job ?? alertLabels.job;
  if (scrapeJob !== undefined) {
    const scrapes = (await prometheus.samplesSince(`up{job=${selectorValue(scrapeJob)}}`, facts.faultStartMs)).flatMap((series) => series.samples.filter((sample) => sample.value === 1).map((sample) => sample.atMs)).sort((a, b) => a - b);
    stored.firstScrapeMs = scrapes[0];
  }
  if (stored.firstScrapeMs !== undefined && stored.activeMs !== undefined && stored.activeMs >= stored.firstScrapeMs) {
    stored.conditionMs = await firstInstantHolding(prometheus, facts.rule.query, alertLabels, stored.firstScrapeMs, stored.activeMs, stepSecondsFor(stored.activeMs - stored.firstScrapeMs, Math.min(facts.rule.intervalSeconds, facts.scrapeIntervalSeconds ?? facts.rule.intervalSeconds)));
  }
  return stored;
}

/** The first instant in [fromMs, toMs] (on a grid of stepSeconds) at which `query` returns this alert's series. */
async function firstInstantHolding(prometheus: PrometheusApi, query: string, alertLabels: Record<string, string>, fromMs: number, toMs: number, stepSeconds: number): Promise<number | undefined> {
  const series = await prometheus.queryRange(query, fromMs, toMs, stepSeconds);
  const instants = series.filter((one) => sameLabels(alertLabels, one.labels)).flatMap((one) => one.samples.map((sample) => sample.atMs));
  return instants.length > 0 ? Math.min(...instants) : undefined;
}
