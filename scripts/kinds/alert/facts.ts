// What an alert check recorded: the fault's instants, what bulwark saw while polling, and the instants
// Prometheus itself stored (scrapes, evaluations). Judgement and the time decomposition are pure
// functions of these facts.

export interface RuleFacts {
  name: string;
  group: string;
  file: string;
  query: string;
  intervalSeconds: number;
  forSeconds: number;
}

export interface ObservedNotification {
  atMs: number;
  receiver: string;
  groupKey: string;
}

export interface AlertFacts {
  alert: string;
  rule: RuleFacts;
  /** The scrape interval of the target's job; null when Prometheus has no such target (not the local estate). */
  scrapeIntervalSeconds: number | null;
  /** Alertmanager's root route group_wait; null when not watched. */
  groupWaitSeconds: number | null;
  faultStartMs: number;
  /** null when the fault was never removed (the run was interrupted). */
  faultEndMs: number | null;
  /** Seen by bulwark's polling (Prometheus /api/v1/alerts, Alertmanager /api/v2/alerts) and webhook. */
  observed: {
    pendingMs?: number;
    /** Prometheus reported it firing (or, watching Alertmanager only, Alertmanager held it). */
    firingMs?: number;
    alertmanagerMs?: number;
    notification?: ObservedNotification;
    resolvedMs?: number;
    resolvedNotification?: ObservedNotification;
  };
  /** Stored by Prometheus: sample timestamps of the target's scrapes and of the ALERTS series. */
  stored: {
    /** The first scrape of the target after the fault started. */
    firstScrapeMs?: number;
    /** The first scrape instant at which the rule's expression held for this alert. */
    conditionMs?: number;
    /** The first rule evaluation that made the alert pending (activeAt). */
    activeMs?: number;
    /** The first rule evaluation that made it fire. */
    firingMs?: number;
  };
}

export interface TimePart {
  name: "scrape" | "range window" | "evaluation" | "for" | "group wait";
  ms: number;
  /** What the configuration says about this part, e.g. "scrape interval 1 s". */
  configured: string;
}
