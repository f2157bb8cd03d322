// How the local monitoring estate is set up: intervals short enough that an alert check takes seconds,
// and where bulwark's webhook listens. Written as JSON (a subset of YAML) for Prometheus and Alertmanager.

/** Intervals of the local estate, in seconds (Prometheus and Alertmanager durations). */
export interface MonitoringIntervals {
  scrapeSeconds: number;
  evaluationSeconds: number;
  groupWaitSeconds: number;
  groupIntervalSeconds: number;
}

/** The shipped estate: every second a scrape and a rule evaluation; Alertmanager waits 1 s before a group's first notification. */
export const defaultIntervals: MonitoringIntervals = { scrapeSeconds: 1, evaluationSeconds: 1, groupWaitSeconds: 1, groupIntervalSeconds: 2 };

/** The loopback ports the estate listens on, chosen free at `up` and kept in its state file. */
export interface MonitoringPorts {
  prometheus: number;
  alertmanager: number;
  /** Where Alertmanager sends notifications; bulwark listens there while an alert check runs. */
  webhook: number;
}

/** The receiver every alert is routed to, and the path of bulwark's webhook. */
export const webhookReceiver = "bulwark-webhook";
export const webhookPath = "/alerts";
/** Folder of the estate's files as the containers see it (bind-mounted read-only). */
export const mountPoint = "/etc/bulwark";
/** The file-based service discovery folder and job name of every scrape target bulwark registers. */
export const targetsFolder = "targets";
export const rulesFolder = "rules";
export const sdJobName = "bulwark-targets";

const seconds = (value: number): string => `${Math.round(value * 1000)}ms`;

export function prometheusConfig(intervals: MonitoringIntervals, ports: MonitoringPorts): object {
  return {
    global: {
      scrape_interval: seconds(intervals.scrapeSeconds),
      scrape_timeout: seconds(intervals.scrapeSeconds),
      evaluation_interval: seconds(intervals.evaluationSeconds),
    },
    rule_files: [`${mountPoint}/${rulesFolder}/*.yml`, `${mountPoint}/${rulesFolder}/*.yaml`],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${ports.alertmanager}`] }] }] },
    scrape_configs: [
      { job_name: "prometheus", static_configs: [{ targets: [`127.0.0.1:${ports.prometheus}`] }] },
      // Targets come and go at runtime (the demo target of one run on a random port): file-based discovery
      // watches the folder; the refresh interval is a fallback for missed file events.
      { job_name: sdJobName, file_sd_configs: [{ files: [`${mountPoint}/${targetsFolder}/*.json`], refresh_interval: "5s" }] },
    ],
  };
}

export function alertmanagerConfig(intervals: MonitoringIntervals, ports: MonitoringPorts): object {
  return {
    route: {
      receiver: webhookReceiver,
      group_by: ["alertname"],
      group_wait: seconds(intervals.groupWaitSeconds),
      group_interval: seconds(intervals.groupIntervalSeconds),
      repeat_interval: "1h",
    },
    receivers: [{ name: webhookReceiver, webhook_configs: [{ url: `http://127.0.0.1:${ports.webhook}${webhookPath}`, send_resolved: true }] }],
  };
}

/** One file-based service discovery entry: `job` labels the target; the URL's path and scheme are kept. */
export function scrapeTargetFile(job: string, metricsUrl: URL): object[] {
  return [{ targets: [metricsUrl.host], labels: { job, __metrics_path__: metricsUrl.pathname, __scheme__: metricsUrl.protocol.replace(":", "") } }];
}
