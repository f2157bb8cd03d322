// Watching one alert while bulwark injects and removes its fault: polls Prometheus and Alertmanager,
// reads the webhook listener, and records the first instant each state was seen, plus a state series.
import type { TimelineEvent } from "../../core/step-result.ts";
import { cameWithin, waitFor } from "../../core/wait-for.ts";
import { ToolingError } from "../../core/errors.ts";
import type { AlertmanagerApi } from "./alertmanager-api.ts";
import { matchesAlert, type AlertCheck } from "./definition.ts";
import type { AlertFacts, ObservedNotification } from "./facts.ts";
import type { PrometheusApi } from "./prometheus-api.ts";
import type { WebhookListener } from "./webhook.ts";

/** Alert state as the report's series draws it. */
export const alertStateValue = { inactive: 0, pending: 1, firing: 2 } as const;

const pollIntervalMs = 200;

export interface AlertSources {
  prometheus: PrometheusApi;
  /** When the check watches Alertmanager (or needs it for notifications). */
  alertmanager?: AlertmanagerApi;
  webhook?: WebhookListener;
}

export interface PollResult {
  atMs: number;
  prometheusState: keyof typeof alertStateValue;
  /** Labels of the matching alert in Prometheus, when there is one. */
  labels?: Record<string, string>;
  activeAt?: string;
  inAlertmanager: boolean;
}

/** One look at every source; only alerts matching the check's name and matchers count. */
export async function pollOnce(check: Pick<AlertCheck, "alert" | "matchers" | "watch">, sources: AlertSources): Promise<PollResult> {
  const watchesPrometheus = check.watch.includes("prometheus");
  const [prometheusAlerts, alertmanagerAlerts] = await Promise.all([
    watchesPrometheus ? sources.prometheus.alerts() : Promise.resolve([]),
    check.watch.includes("alertmanager") && sources.alertmanager ? sources.alertmanager.alerts() : Promise.resolve([]),
  ]);
  const atMs = Date.now();
  const matching = prometheusAlerts.filter((alert) => matchesAlert(check, alert.labels));
  const firing = matching.find((alert) => alert.state === "firing");
  const pending = matching.find((alert) => alert.state === "pending");
  const shown = firing ?? pending;
  return {
    atMs,
    prometheusState: firing ? "firing" : pending ? "pending" : "inactive",
    ...(shown ? { labels: shown.labels, ...(shown.activeAt ? { activeAt: shown.activeAt } : {}) } : {}),
    inAlertmanager: alertmanagerAlerts.some((alert) => matchesAlert(check, alert.labels)),
  };
}

/** The recorder of one check's observations: first instants, a state series and timeline events. */
export class AlertWatch {
  readonly observed: AlertFacts["observed"] = {};
  readonly series: [number, number | null][] = [];
  readonly timeline: TimelineEvent[] = [];
  /** Labels of the alert instance seen in Prometheus (job, instance...), for reading its stored samples. */
  labels: Record<string, string> | undefined;
  private lastState: PollResult | undefined;

  constructor(
    private readonly check: Pick<AlertCheck, "alert" | "matchers" | "watch" | "notify">,
    private readonly sources: AlertSources,
    private readonly log: (line: string) => void,
  ) {}

  event(atMs: number, event: string, detail = ""): void {
    this.timeline.push({ at: new Date(atMs).toISOString(), event, detail });
  }

  private matchingNotification(status: "firing" | "resolved", sinceMs: number): ObservedNotification | undefined {
    const found = this.sources.webhook
      ?.notifications()
      .find((notification) => notification.atMs >= sinceMs && notification.payload.alerts.some((alert) => alert.status === status && matchesAlert(this.check, alert.labels)));
    return found ? { atMs: found.atMs, receiver: found.payload.receiver, groupKey: found.payload.groupKey } : undefined;
  }

  /** Polls once and records what is new; the state series gets a point per poll. */
  async poll(faultStartMs: number | undefined): Promise<PollResult> {
    const result = await pollOnce(this.check, this.sources);
    const value = this.check.watch.includes("prometheus") ? alertStateValue[result.prometheusState] : result.inAlertmanager ? alertStateValue.firing : alertStateValue.inactive;
    this.series.push([result.atMs, value]);
    if (result.labels) this.labels = result.labels;
    if (faultStartMs !== undefined) this.recordFirsts(result, faultStartMs);
    this.lastState = result;
    return result;
  }

  private recordFirsts(result: PollResult, faultStartMs: number): void {
    const observed = this.observed;
    const since = (atMs: number) => `${((atMs - faultStartMs) / 1000).toFixed(1)} s after the fault`;
    if (observed.pendingMs === undefined && result.prometheusState !== "inactive") {
      observed.pendingMs = result.atMs;
      if (result.prometheusState === "pending") this.event(result.atMs, "alert-pending", `Prometheus: ${this.check.alert} pending, ${since(result.atMs)}`);
    }
    if (observed.firingMs === undefined && (result.prometheusState === "firing" || (!this.check.watch.includes("prometheus") && result.inAlertmanager))) {
      observed.firingMs = result.atMs;
      this.event(result.atMs, "alert-firing", `${this.check.watch.includes("prometheus") ? "Prometheus" : "Alertmanager"}: ${this.check.alert} firing, ${since(result.atMs)}`);
      this.log(`alert: ${this.check.alert} firing ${since(result.atMs)}`);
    }
    if (observed.alertmanagerMs === undefined && result.inAlertmanager) {
      observed.alertmanagerMs = result.atMs;
      this.event(result.atMs, "alertmanager-received", `Alertmanager holds ${this.check.alert}, ${since(result.atMs)}`);
    }
    if (observed.notification === undefined) {
      const notification = this.matchingNotification("firing", faultStartMs);
      if (notification) {
        observed.notification = notification;
        this.event(notification.atMs, "notification-received", `webhook: receiver ${notification.receiver}, group ${notification.groupKey}, ${since(notification.atMs)}`);
        this.log(`alert: notification to ${notification.receiver} ${since(notification.atMs)}`);
      }
    }
  }

  /** Still active anywhere it is watched? */
  active(result: PollResult | undefined = this.lastState): boolean {
    if (!result) return false;
    return (this.check.watch.includes("prometheus") && result.prometheusState !== "inactive") || (this.check.watch.includes("alertmanager") && result.inAlertmanager);
  }

  /** Before the fault: the alert must be quiet (a leftover of an earlier run is waited out, up to timeoutMs). */
  async waitQuiet(timeoutMs: number, signal: AbortSignal): Promise<void> {
    try {
      await waitFor(async () => !this.active(await this.poll(undefined)), { timeoutMs, intervalMs: 500, signal, description: `${this.check.alert} to be inactive before the fault` });
    } catch (error) {
      if (signal.aborted) throw error;
      throw new ToolingError(`alert: ${this.check.alert} is already active before any fault (${error instanceof Error ? error.message : String(error)}): nothing to measure`);
    }
  }

  /** After the fault started: until it fired (and notified, and reached Alertmanager when watched) or the deadline. */
  async waitFiring(faultStartMs: number, deadlineMs: number, signal: AbortSignal): Promise<void> {
    const done = () =>
      this.observed.firingMs !== undefined &&
      (!this.check.notify || this.observed.notification !== undefined) &&
      (!this.check.watch.includes("alertmanager") || this.observed.alertmanagerMs !== undefined);
    await this.pollUntil(faultStartMs, deadlineMs, signal, done);
  }

  /** After the fault's removal: until the alert is gone everywhere it is watched (and the resolved notification came), or the deadline. */
  async waitResolved(faultStartMs: number, faultEndMs: number, deadlineMs: number, signal: AbortSignal): Promise<void> {
    await this.pollUntil(faultStartMs, deadlineMs, signal, () => {
      if (this.observed.resolvedMs === undefined && this.lastState && this.lastState.atMs >= faultEndMs && !this.active()) {
        this.observed.resolvedMs = this.lastState.atMs;
        this.event(this.lastState.atMs, "alert-resolved", `${this.check.alert} no longer active, ${((this.lastState.atMs - faultEndMs) / 1000).toFixed(1)} s after the fault's removal`);
        this.log(`alert: ${this.check.alert} resolved ${((this.lastState.atMs - faultEndMs) / 1000).toFixed(1)} s after the fault's removal`);
      }
      if (this.observed.resolvedNotification === undefined) {
        const notification = this.matchingNotification("resolved", faultEndMs);
        if (notification) {
          this.observed.resolvedNotification = notification;
          this.event(notification.atMs, "resolved-notification-received", `webhook: receiver ${notification.receiver}, resolved`);
        }
      }
      return this.observed.resolvedMs !== undefined && (!this.check.notify || this.observed.resolvedNotification !== undefined);
    });
  }

  /** A deadline passing is not an error here: the budgets judge what was (not) seen. */
  private async pollUntil(faultStartMs: number, deadlineMs: number, signal: AbortSignal, done: () => boolean): Promise<void> {
    await cameWithin(
      async () => {
        await this.poll(faultStartMs);
        return done();
      },
      { timeoutMs: Math.max(0, deadlineMs - Date.now()), intervalMs: pollIntervalMs, signal, description: `${this.check.alert} to change state` },
    );
  }
}
