import { describe, expect, it } from "vitest";
import { rootRouteTimings } from "../../../scripts/kinds/alert/alertmanager-api.ts";
import { alertCheckSchema, alertRulesSchema, matchesAlert } from "../../../scripts/kinds/alert/definition.ts";
import { durationSeconds } from "../../../scripts/kinds/alert/prometheus-api.ts";
import { toolReason } from "../../../scripts/kinds/alert/static-checks.ts";
import { alertmanagerConfig, prometheusConfig, scrapeTargetFile } from "../../../scripts/local/monitoring/settings.ts";

describe("Alertmanager's printed configuration", () => {
  it("gives the root route's receiver, group_wait and group_interval, not a child route's", () => {
    const yaml = ["global:", "  resolve_timeout: 5m", "route:", "  receiver: bulwark-webhook", "  group_by:", "  - alertname", "  routes:", "  - receiver: other", "    group_wait: 9s", "  group_wait: 1s", "  group_interval: 2m30s", "receivers:", "- name: bulwark-webhook"].join("\n");
    expect(rootRouteTimings(yaml)).toEqual({ receiver: "bulwark-webhook", groupWaitSeconds: 1, groupIntervalSeconds: 150 });
    expect(rootRouteTimings("global: {}")).toEqual({ receiver: null, groupWaitSeconds: null, groupIntervalSeconds: null });
  });

  it("reads Prometheus durations", () => {
    expect([durationSeconds("1s"), durationSeconds("1m30s"), durationSeconds("500ms"), durationSeconds("soon")]).toEqual([1, 90, 0.5, null]);
  });
});

describe("alert check config", () => {
  const check = { alert: "DemoHighErrorRate", trigger: { demoFault: { errorRate: 0.5 } }, load: { scenario: "browse-catalog", profile: "soak" } };

  it("defaults: watch both, 60 s to fire and to notify, 5 min to resolve", () => {
    const parsed = alertCheckSchema.parse(check);
    expect(parsed.watch).toEqual(["prometheus", "alertmanager"]);
    expect(parsed.budgets).toEqual({ fireWithin: "60s", notifyWithin: "60s", resolveWithin: "5m" });
  });

  it("refuses a fault that changes nothing, and an alert name Prometheus could not have", () => {
    expect(alertCheckSchema.safeParse({ ...check, trigger: { demoFault: {} } }).error?.issues[0]?.message).toMatch(/set errorRate or latencyMs/);
    expect(alertCheckSchema.safeParse({ ...check, alert: "high error rate" }).success).toBe(false);
    expect(alertRulesSchema.safeParse({}).error?.issues[0]?.message).toMatch(/name at least one file/);
  });

  it("matches alertname and every matcher exactly", () => {
    const wanted = { alert: "DemoHighErrorRate", matchers: { service: "demo" } };
    expect(matchesAlert(wanted, { alertname: "DemoHighErrorRate", service: "demo", job: "demo" })).toBe(true);
    expect(matchesAlert(wanted, { alertname: "DemoHighErrorRate", service: "shop" })).toBe(false);
    expect(matchesAlert(wanted, { alertname: "DemoHighLatencyP95", service: "demo" })).toBe(false);
  });
});

describe("promtool and amtool output as a reason", () => {
  it("drops banners and keeps the lines naming file and rule", () => {
    const output = 'Checking /r/broken.yml\n  FAILED:\n/r/broken.yml: 7:15: group "broken", rule 2, "BrokenRule": could not parse expression';
    expect(toolReason({ command: "promtool check rules /r/broken.yml", code: 1, output }, "/r/broken.yml")).toBe('/r/broken.yml: 7:15: group "broken", rule 2, "BrokenRule": could not parse expression');
    expect(toolReason({ command: "amtool check-config /a.yml", code: 1, output: "Checking '/a.yml'  FAILED: undefined receiver \"pager\" used in route" }, "/a.yml")).toBe('/a.yml: FAILED: undefined receiver "pager" used in route');
    expect(toolReason({ command: "promtool check rules /r/ok.yml", code: 0, output: "Checking /r/ok.yml\n  SUCCESS: 2 rules found" }, "/r/ok.yml")).toBe("/r/ok.yml: SUCCESS: 2 rules found");
  });
});

describe("the local estate's configuration", () => {
  const ports = { prometheus: 9101, alertmanager: 9102, webhook: 9103 };
  const intervals = { scrapeSeconds: 1, evaluationSeconds: 2, groupWaitSeconds: 1, groupIntervalSeconds: 2 };

  it("Prometheus: the intervals asked for, file-based discovery, Alertmanager on loopback", () => {
    const config = prometheusConfig(intervals, ports) as { global: Record<string, string>; alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] } };
    expect(config.global).toEqual({ scrape_interval: "1000ms", scrape_timeout: "1000ms", evaluation_interval: "2000ms" });
    expect(config.alerting.alertmanagers[0]!.static_configs[0]!.targets).toEqual(["127.0.0.1:9102"]);
  });

  it("Alertmanager: every alert to bulwark's loopback webhook, resolved ones too", () => {
    expect(alertmanagerConfig(intervals, ports)).toMatchObject({ route: { receiver: "bulwark-webhook", group_wait: "1000ms" }, receivers: [{ name: "bulwark-webhook", webhook_configs: [{ url: "http://127.0.0.1:9103/alerts", send_resolved: true }] }] });
  });

  it("a scrape target keeps its URL's path and scheme and is labelled with its job", () => {
    expect(scrapeTargetFile("demo", new URL("http://127.0.0.1:4000/metrics"))).toEqual([{ targets: ["127.0.0.1:4000"], labels: { job: "demo", __metrics_path__: "/metrics", __scheme__: "http" } }]);
  });
});
