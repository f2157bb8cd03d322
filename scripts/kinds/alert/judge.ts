// Budgets judged on recorded facts: one check (kind "alert") per budget, with the measured time, the
// limit and a reason that explains a slow alert by its parts.
import type { Check } from "../../core/step-result.ts";
import type { AlertCheck, Budgets } from "./definition.ts";
import { decompose, explainFiring, ruleSettings, seconds } from "./decompose.ts";
import type { AlertFacts } from "./facts.ts";

const toSeconds = (ms: number | undefined): number | null => (ms === undefined ? null : Math.round(ms) / 1000);

/** The alert cannot fire within the budget however fast everything else is: its `for` alone is as long. */
export function impossibleBudget(facts: Pick<AlertFacts, "alert" | "rule">, budgets: Budgets): string | null {
  if (facts.rule.forSeconds * 1000 < budgets.fireWithinMs) return null;
  return `${facts.alert} cannot fire within ${seconds(budgets.fireWithinMs)}: ${ruleSettings(facts)} (it fires ${seconds(facts.rule.forSeconds * 1000)} after its expression first holds, at the earliest)`;
}

export function fireCheck(facts: AlertFacts, budgets: Budgets): Check {
  const limit = budgets.fireWithinMs / 1000;
  const name = `${facts.alert} fires within ${seconds(budgets.fireWithinMs)} of the fault`;
  const impossible = impossibleBudget(facts, budgets);
  if (impossible) return { name, kind: "alert", observed: null, limit, unit: "s", verdict: "fail", reason: impossible };
  const firedMs = facts.observed.firingMs === undefined ? undefined : facts.observed.firingMs - facts.faultStartMs;
  if (firedMs === undefined) {
    const pending = facts.observed.pendingMs === undefined ? "it never became pending" : `pending since ${seconds(facts.observed.pendingMs - facts.faultStartMs)} after the fault`;
    return { name, kind: "alert", observed: null, limit, unit: "s", verdict: "fail", reason: `${facts.alert} did not fire within ${seconds(budgets.fireWithinMs)} (${ruleSettings(facts)}; ${pending})` };
  }
  const pass = firedMs <= budgets.fireWithinMs;
  return { name, kind: "alert", observed: toSeconds(firedMs), limit, unit: "s", verdict: pass ? "pass" : "fail", reason: explainFiring(firedMs, decompose(facts)) };
}

export function notifyCheck(facts: AlertFacts, budgets: Budgets, receiver: string): Check {
  const limit = budgets.notifyWithinMs / 1000;
  const name = `${facts.alert} notifies ${receiver} within ${seconds(budgets.notifyWithinMs)} of the fault`;
  const notification = facts.observed.notification;
  if (!notification) {
    const fired = facts.observed.firingMs === undefined ? "the alert never fired" : `the alert fired after ${seconds(facts.observed.firingMs - facts.faultStartMs)}`;
    return { name, kind: "alert", observed: null, limit, unit: "s", verdict: "fail", reason: `no notification reached bulwark's webhook within ${seconds(budgets.notifyWithinMs)} (${fired})` };
  }
  const afterMs = notification.atMs - facts.faultStartMs;
  const route = `receiver ${notification.receiver}, group ${notification.groupKey}`;
  if (notification.receiver !== receiver) {
    return { name, kind: "alert", observed: toSeconds(afterMs), limit, unit: "s", verdict: "fail", reason: `the notification came from receiver ${notification.receiver}, not ${receiver} (${route})` };
  }
  const groupWait = decompose(facts).find((part) => part.name === "group wait");
  const pass = afterMs <= budgets.notifyWithinMs;
  return {
    name,
    kind: "alert",
    observed: toSeconds(afterMs),
    limit,
    unit: "s",
    verdict: pass ? "pass" : "fail",
    reason: `notified after ${seconds(afterMs)} (${route})${groupWait ? `: ${seconds(groupWait.ms)} after firing (${groupWait.configured})` : ""}`,
  };
}

export function resolveCheck(facts: AlertFacts, budgets: Budgets): Check {
  const limit = budgets.resolveWithinMs / 1000;
  const name = `${facts.alert} resolves within ${seconds(budgets.resolveWithinMs)} of the fault's removal`;
  if (facts.observed.firingMs === undefined || facts.faultEndMs === null) {
    return { name, kind: "alert", observed: null, limit, unit: "s", verdict: "no-data", reason: facts.faultEndMs === null ? "not judged: the fault was not removed" : "not judged: the alert never fired" };
  }
  if (facts.observed.resolvedMs === undefined) {
    return { name, kind: "alert", observed: null, limit, unit: "s", verdict: "fail", reason: `${facts.alert} was still active ${seconds(budgets.resolveWithinMs)} after the fault was removed` };
  }
  const afterMs = facts.observed.resolvedMs - facts.faultEndMs;
  const resolvedNote = facts.observed.resolvedNotification ? `; resolved notification after ${seconds(facts.observed.resolvedNotification.atMs - facts.faultEndMs)}` : "";
  return {
    name,
    kind: "alert",
    observed: toSeconds(afterMs),
    limit,
    unit: "s",
    verdict: afterMs <= budgets.resolveWithinMs ? "pass" : "fail",
    reason: `resolved ${seconds(afterMs)} after the fault was removed${resolvedNote}`,
  };
}

/** Every budget of the check, judged. */
export function judgeAlert(facts: AlertFacts, check: Pick<AlertCheck, "notify">, budgets: Budgets): Check[] {
  const checks = [fireCheck(facts, budgets)];
  if (check.notify) checks.push(notifyCheck(facts, budgets, check.notify.receiver));
  checks.push(resolveCheck(facts, budgets));
  return checks;
}
