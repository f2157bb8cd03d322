// Preflight of alert checks, before any load or fault: where Prometheus and Alertmanager are (the local
// estate or the environment's URLs), that they answer (exit 3 otherwise), and that Prometheus has an
// alerting rule of the checked name (exit 2 otherwise); then the scrape target and the webhook listener.
import { ToolingError, UsageError } from "../../core/errors.ts";
import type { RunContext } from "../step-kind.ts";
import { AlertmanagerApi, type RouteTimings } from "./alertmanager-api.ts";
import type { AlertCheck } from "./definition.ts";
import { PrometheusApi, type AlertingRule } from "./prometheus-api.ts";

export interface MonitoringEndpoints {
  prometheus: PrometheusApi;
  alertmanager?: AlertmanagerApi;
  /** The local estate registers scrape targets and says where its webhook receiver points. */
  local?: {
    scrape(job: string, metricsUrl: string): Promise<() => Promise<void>>;
    webhook?: { port: number; path: string; receiver: string };
  };
}

/** Up-front: the environment says where monitoring is (exit 2 otherwise). */
export function checkMonitoringTarget(context: RunContext, field: string): void {
  const monitoring = context.environment.monitoring;
  const environmentField = `environments.${context.environmentName}.monitoring`;
  if (!monitoring) throw new UsageError(`${field}: environment '${context.environmentName}' has no monitoring (set ${environmentField}, e.g. {"local": true})`);
  if (!monitoring.local && !monitoring.prometheusUrl) throw new UsageError(`${environmentField}.prometheusUrl: needed by ${field} (or local: true)`);
}

export async function monitoringEndpoints(context: RunContext, needsAlertmanager: boolean): Promise<MonitoringEndpoints> {
  const monitoring = context.environment.monitoring!;
  if (monitoring.local) {
    const local = await context.estate.localMonitoring();
    const endpoints: MonitoringEndpoints = { prometheus: new PrometheusApi(monitoring.prometheusUrl ?? local.prometheusUrl), local: { scrape: (job, url) => local.scrape(job, url), ...(local.webhook ? { webhook: local.webhook } : {}) } };
    if (needsAlertmanager) endpoints.alertmanager = new AlertmanagerApi(monitoring.alertmanagerUrl ?? local.alertmanagerUrl);
    return endpoints;
  }
  const endpoints: MonitoringEndpoints = { prometheus: new PrometheusApi(monitoring.prometheusUrl!.replace(/\/$/, "")) };
  if (needsAlertmanager) {
    if (!monitoring.alertmanagerUrl) throw new UsageError(`environments.${context.environmentName}.monitoring.alertmanagerUrl: needed to watch Alertmanager or its notifications`);
    endpoints.alertmanager = new AlertmanagerApi(monitoring.alertmanagerUrl.replace(/\/$/, ""));
  }
  return endpoints;
}

export interface CheckedAlert {
  rule: AlertingRule;
  route: RouteTimings | null;
}

/** Both APIs answer, and the alert is defined: its rule (interval, `for`) and Alertmanager's root route. */
export async function preflightAlert(check: AlertCheck, field: string, endpoints: MonitoringEndpoints): Promise<CheckedAlert> {
  await endpoints.prometheus.ready();
  const route = endpoints.alertmanager ? await endpoints.alertmanager.rootRoute() : null;
  const rules = await endpoints.prometheus.alertingRules();
  const rule = rules.find((candidate) => candidate.name === check.alert);
  if (!rule) {
    const known = [...new Set(rules.map((candidate) => candidate.name))].sort();
    throw new UsageError(`${field}.alert: no alerting rule named '${check.alert}' in Prometheus at ${endpoints.prometheus.url} (${known.length > 0 ? `rules: ${known.join(", ")}` : "it has no alerting rules"})`);
  }
  for (const [label, value] of Object.entries(check.matchers)) {
    const fixed = rule.labels[label];
    if (fixed !== undefined && fixed !== value) throw new UsageError(`${field}.matchers.${label}: rule ${rule.name} sets ${label}="${fixed}", so '${value}' never matches`);
  }
  if (check.notify && route && route.receiver === null) throw new ToolingError(`Alertmanager at ${endpoints.alertmanager?.url}: no root route in its configuration`);
  return { rule, route };
}
