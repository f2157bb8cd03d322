import { describe, expect, it } from "vitest";
import { decompose, explainFiring, firingPartsMs } from "../../../scripts/kinds/alert/decompose.ts";
import type { AlertFacts } from "../../../scripts/kinds/alert/facts.ts";
import { fireCheck, impossibleBudget, judgeAlert, notifyCheck, resolveCheck } from "../../../scripts/kinds/alert/judge.ts";

const t0 = 1_000_000;
const budgets = { fireWithinMs: 60_000, notifyWithinMs: 60_000, resolveWithinMs: 120_000 };

/** A slow production-like rule: evaluated every 60 s, for 30 s; each instant chosen by the test. */
function facts(overrides: Partial<AlertFacts> = {}): AlertFacts {
  return {
    alert: "HighErrorRate",
    rule: { name: "HighErrorRate", group: "api", file: "rules.yml", query: "sum(rate(errors_total[5m])) / sum(rate(requests_total[5m])) > 0.05", intervalSeconds: 60, forSeconds: 30 },
    scrapeIntervalSeconds: 15,
    groupWaitSeconds: 30,
    faultStartMs: t0,
    faultEndMs: t0 + 150_000,
    observed: { pendingMs: t0 + 64_300, firingMs: t0 + 94_300, notification: { atMs: t0 + 124_500, receiver: "pager", groupKey: '{}:{alertname="HighErrorRate"}' }, resolvedMs: t0 + 150_000 + 70_000 },
    stored: { firstScrapeMs: t0 + 4_000, conditionMs: t0 + 19_000, activeMs: t0 + 64_000, firingMs: t0 + 94_000 },
    ...overrides,
  };
}

describe("decomposition of the time to firing", () => {
  it("splits fault-to-firing at Prometheus's own instants: scrape, range window, evaluation, for; then group wait", () => {
    const parts = decompose(facts());
    expect(parts.map((part) => [part.name, part.ms])).toEqual([
      ["scrape", 4_000],
      ["range window", 15_000],
      ["evaluation", 45_000],
      ["for", 30_000],
      ["group wait", 30_500],
    ]);
    expect(parts.map((part) => part.configured)).toEqual(["scrape interval 15 s", "range 5m: until the expression crosses its threshold", "rule group interval 60 s", "for 30 s", "group_wait 30 s"]);
    expect(firingPartsMs(parts)).toBe(94_000);
  });

  it("explains a slow alert by its parts and the rule's settings", () => {
    const check = fireCheck(facts(), { ...budgets, fireWithinMs: 60_000 });
    expect(check.verdict).toBe("fail");
    expect(check.observed).toBe(94.3);
    expect(check.reason).toBe("fired after 94 s: scrape 4.0 s (scrape interval 15 s) + range window 15 s (range 5m: until the expression crosses its threshold) + evaluation 45 s (rule group interval 60 s) + for 30 s (for 30 s)");
  });

  it("leaves out parts whose ends were not recorded", () => {
    const parts = decompose(facts({ stored: { activeMs: t0 + 64_000, firingMs: t0 + 94_000 }, observed: {} }));
    expect(parts.map((part) => part.name)).toEqual(["for"]);
    expect(explainFiring(94_000, [])).toBe("fired after 94 s");
  });
});

describe("budgets", () => {
  it("passes at the limit and fails just beyond it", () => {
    const at = facts({ observed: { ...facts().observed, firingMs: t0 + 60_000 } });
    expect(fireCheck(at, budgets).verdict).toBe("pass");
    const beyond = facts({ observed: { ...facts().observed, firingMs: t0 + 60_001 } });
    expect(fireCheck(beyond, budgets).verdict).toBe("fail");
  });

  it("a `for` as long as the budget can never be met: fail, naming interval and for", () => {
    const slow = facts({ rule: { ...facts().rule, forSeconds: 60 } });
    expect(impossibleBudget(slow, budgets)).toBe("HighErrorRate cannot fire within 60 s: rule group interval 60 s + for 60 s (it fires 60 s after its expression first holds, at the earliest)");
    expect(impossibleBudget(facts({ rule: { ...facts().rule, forSeconds: 59 } }), budgets)).toBeNull();
    expect(fireCheck(slow, budgets)).toMatchObject({ verdict: "fail", observed: null });
  });

  it("an alert that never fired fails with its last state", () => {
    const never = facts({ observed: { pendingMs: t0 + 3_000 } });
    expect(fireCheck(never, budgets).reason).toBe("HighErrorRate did not fire within 60 s (rule group interval 60 s + for 30 s; pending since 3.0 s after the fault)");
    expect(resolveCheck(never, budgets)).toMatchObject({ verdict: "no-data", reason: "not judged: the alert never fired" });
    expect(notifyCheck(never, budgets, "pager")).toMatchObject({ verdict: "fail", reason: "no notification reached bulwark's webhook within 60 s (the alert never fired)" });
  });

  it("a notification from another receiver fails even inside the budget", () => {
    const check = notifyCheck(facts(), { ...budgets, notifyWithinMs: 200_000 }, "bulwark-webhook");
    expect(check).toMatchObject({ verdict: "fail", reason: 'the notification came from receiver pager, not bulwark-webhook (receiver pager, group {}:{alertname="HighErrorRate"})' });
  });

  it("notification and resolution are measured from the fault's start and removal", () => {
    const checks = judgeAlert(facts(), { notify: { receiver: "pager" } }, { fireWithinMs: 100_000, notifyWithinMs: 124_500, resolveWithinMs: 70_000 });
    expect(checks.map((check) => [check.observed, check.verdict])).toEqual([
      [94.3, "pass"],
      [124.5, "pass"],
      [70, "pass"],
    ]);
    expect(checks[1]!.reason).toBe('notified after 125 s (receiver pager, group {}:{alertname="HighErrorRate"}): 31 s after firing (group_wait 30 s)');
    expect(resolveCheck(facts(), { ...budgets, resolveWithinMs: 69_999 }).verdict).toBe("fail");
    expect(resolveCheck(facts({ observed: { ...facts().observed, resolvedMs: undefined } }), budgets)).toMatchObject({ verdict: "fail", observed: null });
  });
});
