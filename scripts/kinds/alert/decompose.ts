// Where the time from fault to firing alert went, from Prometheus's own timestamps: waiting for the next
// scrape, for the expression's range window to cross the threshold, for the rule group's next
// evaluation, for the rule's `for`; then Alertmanager's group wait until the notification.
import type { AlertFacts, TimePart } from "./facts.ts";

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
const configuredSeconds = (value: number): string => `${Number.isInteger(value) ? value : value.toFixed(1)} s`;

/** The parts of the time to firing (and the group wait after it); only parts whose both ends were recorded. */
export function decompose(facts: AlertFacts): TimePart[] {
  const { stored, rule } = facts;
  const parts: TimePart[] = [];
  const add = (name: TimePart["name"], from: number | undefined, to: number | undefined, configured: string) => {
    if (from !== undefined && to !== undefined) parts.push({ name, ms: Math.max(0, to - from), configured });
  };
  add("scrape", facts.faultStartMs, stored.firstScrapeMs, facts.scrapeIntervalSeconds === null ? "scrape interval unknown" : `scrape interval ${configuredSeconds(facts.scrapeIntervalSeconds)}`);
  const ranges = [...new Set([...rule.query.matchAll(/\[(\d+(?:ms|s|m|h|d|w|y))(?::[^\]]*)?\]/g)].map((match) => match[1]))];
  add("range window", stored.firstScrapeMs, stored.conditionMs, ranges.length > 0 ? `range ${ranges.join(", ")}: until the expression crosses its threshold` : "until the expression crosses its threshold");
  add("evaluation", stored.conditionMs, stored.activeMs, `rule group interval ${configuredSeconds(rule.intervalSeconds)}`);
  add("for", stored.activeMs, stored.firingMs, `for ${configuredSeconds(rule.forSeconds)}`);
  if (facts.observed.notification && stored.firingMs !== undefined) {
    add("group wait", stored.firingMs, facts.observed.notification.atMs, facts.groupWaitSeconds === null ? "group_wait unknown" : `group_wait ${configuredSeconds(facts.groupWaitSeconds)}`);
  }
  return parts;
}

/** Sum of the parts up to firing: Prometheus's firing evaluation minus the fault's start. */
export const firingPartsMs = (parts: readonly TimePart[]): number => parts.filter((part) => part.name !== "group wait").reduce((sum, part) => sum + part.ms, 0);

/** "fired after 7.4 s: scrape 0.3 s (scrape interval 1 s) + range window 1.0 s + ..." */
export function explainFiring(timeToFiringMs: number, parts: readonly TimePart[]): string {
  const firing = parts.filter((part) => part.name !== "group wait");
  if (firing.length === 0) return `fired after ${seconds(timeToFiringMs)}`;
  return `fired after ${seconds(timeToFiringMs)}: ${firing.map((part) => `${part.name} ${seconds(part.ms)} (${part.configured})`).join(" + ")}`;
}

/** The rule's own floor: an alert fires `for` after its expression first holds, at a rule evaluation. */
export const ruleSettings = (facts: Pick<AlertFacts, "rule">): string => `rule group interval ${configuredSeconds(facts.rule.intervalSeconds)} + for ${configuredSeconds(facts.rule.forSeconds)}`;
