// The local monitoring estate: Prometheus and Alertmanager from the estate's images, on loopback ports,
// scraping targets bulwark registers at runtime and routing every alert to bulwark's webhook.
// Public surface for `bulwark local up|down|status --monitoring`, the CLI's Estate and tests.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync } from "node:fs";
import { unlink } from "node:fs/promises";
import { basename, join } from "node:path";
import { ToolingError } from "../../core/errors.ts";
import { freeLoopbackPort } from "../../core/free-port.ts";
import { formatDuration, table } from "../../core/output.ts";
import { withLock } from "../../core/process-lock.ts";
import { waitForOrThrow } from "../../core/wait-for.ts";
import { writeFileAtomic } from "../../core/write-atomic.ts";
import { up as containersUp } from "../containers/index.ts";
import { containerLogs, containerName, isRunning, monitoringServices, removeServices, startService, type MonitoringService } from "./containers.ts";
import { estateId, monitoringPaths, shippedRuleFiles, stateDir } from "./paths.ts";
import { alertmanagerConfig, defaultIntervals, prometheusConfig, scrapeTargetFile, webhookPath, webhookReceiver, type MonitoringIntervals, type MonitoringPorts } from "./settings.ts";

export { defaultIntervals, webhookReceiver, webhookPath, type MonitoringIntervals, type MonitoringPorts } from "./settings.ts";
export { shippedRuleFiles, shippedRuleTests, stateDir } from "./paths.ts";
export { runPromtool, runAmtool, type ToolRun } from "./tools.ts";

export const notRunningMessage = "local monitoring is not running; start it with `bulwark local up --monitoring`";

export interface MonitoringOptions {
  log: (line: string) => void;
  /** Intervals of this estate (default: defaultIntervals); kept across `up` calls unless given again. */
  intervals?: Partial<MonitoringIntervals>;
  /** Rule files Prometheus loads (default: the shipped demo rules). */
  ruleFiles?: readonly string[];
}

/** What a running estate is: written by `up`, read by everyone else. */
export interface MonitoringState {
  id: string;
  ports: MonitoringPorts;
  intervals: MonitoringIntervals;
  ruleFiles: string[];
  startedAt: string;
}

/** A running estate as bulwark uses it (the Estate's localMonitoring()). */
export interface MonitoringConnection {
  prometheusUrl: string;
  alertmanagerUrl: string;
  intervals: MonitoringIntervals;
  webhook: { port: number; path: string; receiver: string };
  /** Scrape `metricsUrl` (loopback only) as job `job` until the returned function is called. */
  scrape(job: string, metricsUrl: string): Promise<() => Promise<void>>;
}

const urlOf = (port: number): string => `http://127.0.0.1:${port}`;

const isPort = (value: unknown): boolean => Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65_535;
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** A state file as `up` writes it; anything else (edited, truncated, another version's) counts as no estate. */
function isMonitoringState(value: unknown): value is MonitoringState {
  if (!isRecord(value) || !isRecord(value.ports) || !isRecord(value.intervals)) return false;
  const { ports, intervals } = value;
  return (
    typeof value.id === "string" &&
    typeof value.startedAt === "string" &&
    Array.isArray(value.ruleFiles) &&
    value.ruleFiles.every((file) => typeof file === "string") &&
    isPort(ports.prometheus) &&
    isPort(ports.alertmanager) &&
    isPort(ports.webhook) &&
    Object.keys(defaultIntervals).every((key) => typeof intervals[key] === "number" && Number.isFinite(intervals[key]) && (intervals[key] as number) > 0)
  );
}

export function readState(dir = stateDir()): MonitoringState | undefined {
  try {
    const state: unknown = JSON.parse(readFileSync(monitoringPaths.state(dir), "utf8"));
    return isMonitoringState(state) ? state : undefined;
  } catch {
    return undefined;
  }
}

async function answers(url: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

async function writeConfiguration(dir: string, state: MonitoringState): Promise<void> {
  for (const folder of [dir, monitoringPaths.rules(dir), monitoringPaths.targets(dir)]) {
    mkdirSync(folder, { recursive: true });
    // Both containers run as nobody and read these files through a read-only bind mount.
    chmodSync(folder, 0o755);
  }
  for (const old of readdirSync(monitoringPaths.rules(dir))) rmSync(join(monitoringPaths.rules(dir), old), { force: true });
  for (const [index, file] of state.ruleFiles.entries()) {
    if (!existsSync(file)) throw new ToolingError(`monitoring: rule file ${file} does not exist`);
    const copy = join(monitoringPaths.rules(dir), `${index}-${basename(file).replace(/\.(yaml|yml)$/, "")}.yml`);
    copyFileSync(file, copy);
    chmodSync(copy, 0o644);
  }
  await writeFileAtomic(monitoringPaths.prometheusConfig(dir), JSON.stringify(prometheusConfig(state.intervals, state.ports), null, 2) + "\n");
  await writeFileAtomic(monitoringPaths.alertmanagerConfig(dir), JSON.stringify(alertmanagerConfig(state.intervals, state.ports), null, 2) + "\n");
  chmodSync(monitoringPaths.prometheusConfig(dir), 0o644);
  chmodSync(monitoringPaths.alertmanagerConfig(dir), 0o644);
}

async function reload(service: MonitoringService, port: number): Promise<void> {
  const response = await fetch(`${urlOf(port)}/-/reload`, { method: "POST", signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new ToolingError(`monitoring: ${service} rejected its new configuration: ${(await response.text()).trim()}`);
}

async function waitUntilReady(id: string, service: MonitoringService, port: number): Promise<void> {
  await waitForOrThrow(() => answers(`${urlOf(port)}/-/ready`), { timeoutMs: 60_000, intervalMs: 250, description: `${service} to report ready` }, async () =>
    new ToolingError(`monitoring: ${service} (${containerName(id, service)}) did not become ready on ${urlOf(port)} within 60 s; its last log lines: ${(await containerLogs(id, service)).trim().split("\n").slice(-3).join(" | ")}`),
  );
}

/**
 * Starts Prometheus and Alertmanager (building their images when needed), or refreshes the running ones
 * with the given rules and intervals (a reload, no restart). Safe to call repeatedly.
 */
export async function up(options: MonitoringOptions): Promise<MonitoringConnection> {
  const started = Date.now();
  await containersUp({ log: options.log, images: ["prometheus", "alertmanager"] });
  const dir = stateDir();
  const id = estateId(dir);
  return withLock(monitoringPaths.lock(dir), { timeoutMs: 300_000, onWait: (pid) => options.log(`monitoring: waiting for another bulwark process (pid ${pid ?? "unknown"})`) }, async () => {
    const previous = readState(dir);
    const running = previous !== undefined && (await isRunning(id, "prometheus")) && (await isRunning(id, "alertmanager"));
    const state: MonitoringState = {
      id,
      ports: running ? previous.ports : { prometheus: await freeLoopbackPort(), alertmanager: await freeLoopbackPort(), webhook: await freeLoopbackPort() },
      intervals: { ...defaultIntervals, ...(running ? previous.intervals : {}), ...options.intervals },
      ruleFiles: [...(options.ruleFiles ?? (running ? previous.ruleFiles : shippedRuleFiles()))],
      startedAt: running ? previous.startedAt : new Date().toISOString(),
    };
    if (!running) await removeServices(id);
    await writeConfiguration(dir, state);
    await writeFileAtomic(monitoringPaths.state(dir), JSON.stringify(state, null, 2) + "\n");
    for (const service of monitoringServices) {
      const port = state.ports[service];
      if (running) await reload(service, port);
      else await startService(id, service, dir, state.ports);
    }
    for (const service of monitoringServices) await waitUntilReady(id, service, state.ports[service]);
    options.log(
      `monitoring: ${running ? "already running, configuration reloaded" : "started"} in ${formatDuration(Date.now() - started)}; ` +
        `Prometheus ${urlOf(state.ports.prometheus)}, Alertmanager ${urlOf(state.ports.alertmanager)}, webhook ${urlOf(state.ports.webhook)}${webhookPath}; ` +
        `scrape and evaluation every ${state.intervals.scrapeSeconds} s / ${state.intervals.evaluationSeconds} s`,
    );
    return connectionFor(dir, state);
  });
}

/** A file an atomic write left behind when interrupted (scripts/core/write-atomic.ts). */
const atomicLeftover = /\.[0-9a-f]{8}\.tmp$/;

/**
 * Removes the files `up` and the scrape targets wrote, and the folders when nothing else is in them:
 * BULWARK_MONITORING_STATE_DIR may name a folder that holds other things too.
 */
function removeEstateFiles(dir: string): void {
  const removeMatching = (folder: string, pattern: RegExp) => {
    if (!existsSync(folder)) return;
    for (const entry of readdirSync(folder)) if (pattern.test(entry) || atomicLeftover.test(entry)) rmSync(join(folder, entry), { force: true });
  };
  removeMatching(monitoringPaths.rules(dir), /^\d+-.*\.yml$/);
  removeMatching(monitoringPaths.targets(dir), /\.json$/);
  for (const file of [monitoringPaths.state(dir), monitoringPaths.prometheusConfig(dir), monitoringPaths.alertmanagerConfig(dir)]) rmSync(file, { force: true });
  removeMatching(dir, atomicLeftover);
  for (const folder of [monitoringPaths.rules(dir), monitoringPaths.targets(dir), dir]) {
    try {
      rmdirSync(folder);
    } catch {
      // Not empty (someone else's files) or never created: leave it.
    }
  }
}

/** Removes both containers and the estate's files. Safe when nothing runs. */
export async function down(options: Pick<MonitoringOptions, "log">): Promise<void> {
  const dir = stateDir();
  const removed = await removeServices(estateId(dir));
  removeEstateFiles(dir);
  options.log(removed > 0 ? `monitoring: removed ${removed} container(s) and ${dir}` : "monitoring: nothing was running");
}

export interface MonitoringStatus {
  running: boolean;
  stateDir: string;
  prometheusUrl?: string;
  alertmanagerUrl?: string;
  webhookUrl?: string;
  intervals?: MonitoringIntervals;
  ruleFiles?: string[];
  services: { name: MonitoringService; container: string; running: boolean; ready: boolean }[];
  /** Jobs of the scrape targets bulwark registered and that are still there. */
  targets: string[];
}

export async function status(): Promise<MonitoringStatus> {
  const dir = stateDir();
  const id = estateId(dir);
  const state = readState(dir);
  const services: MonitoringStatus["services"] = [];
  for (const service of monitoringServices) {
    const containerRunning = await isRunning(id, service);
    const ready = containerRunning && state !== undefined && (await answers(`${urlOf(state.ports[service])}/-/ready`));
    services.push({ name: service, container: containerName(id, service), running: containerRunning, ready });
  }
  const targets = existsSync(monitoringPaths.targets(dir)) ? readdirSync(monitoringPaths.targets(dir)).filter((file) => file.endsWith(".json")).map((file) => file.replace(/\.json$/, "")) : [];
  const result: MonitoringStatus = { running: state !== undefined && services.every((service) => service.ready), stateDir: dir, services, targets };
  if (state) {
    result.prometheusUrl = urlOf(state.ports.prometheus);
    result.alertmanagerUrl = urlOf(state.ports.alertmanager);
    result.webhookUrl = `${urlOf(state.ports.webhook)}${webhookPath}`;
    result.intervals = state.intervals;
    result.ruleFiles = state.ruleFiles;
  }
  return result;
}

export function formatStatus(status: MonitoringStatus): string {
  const lines = [
    status.running
      ? `monitoring: running; Prometheus ${status.prometheusUrl}, Alertmanager ${status.alertmanagerUrl}, webhook ${status.webhookUrl}`
      : "monitoring: not running (start it with `bulwark local up --monitoring`)",
  ];
  if (status.intervals) lines.push(`monitoring: scrape ${status.intervals.scrapeSeconds} s, evaluation ${status.intervals.evaluationSeconds} s, group wait ${status.intervals.groupWaitSeconds} s, group interval ${status.intervals.groupIntervalSeconds} s`);
  lines.push(table([["SERVICE", "CONTAINER", "RUNNING", "READY"], ...status.services.map((service) => [service.name, service.container, service.running ? "yes" : "no", service.ready ? "yes" : "no"])]));
  if (status.targets.length > 0) lines.push(`monitoring: scrape targets registered by bulwark: ${status.targets.join(", ")}`);
  return lines.join("\n");
}

/** The running estate; a ToolingError naming `bulwark local up --monitoring` when it does not run. */
export async function connect(): Promise<MonitoringConnection> {
  const dir = stateDir();
  const state = readState(dir);
  if (!state) throw new ToolingError(notRunningMessage);
  if (!(await answers(`${urlOf(state.ports.prometheus)}/-/ready`))) throw new ToolingError(`${notRunningMessage} (Prometheus does not answer on ${urlOf(state.ports.prometheus)})`);
  return connectionFor(dir, state);
}

function connectionFor(dir: string, state: MonitoringState): MonitoringConnection {
  const prometheusUrl = urlOf(state.ports.prometheus);
  return {
    prometheusUrl,
    alertmanagerUrl: urlOf(state.ports.alertmanager),
    intervals: state.intervals,
    webhook: { port: state.ports.webhook, path: webhookPath, receiver: webhookReceiver },
    scrape: (job, metricsUrl) => registerScrapeTarget(dir, prometheusUrl, job, metricsUrl),
  };
}

const loopbackHost = (hostname: string): boolean => /^127(\.\d{1,3}){3}$/.test(hostname) || hostname === "[::1]" || hostname === "localhost";

interface ActiveTarget {
  labels: Record<string, string>;
  health: string;
  lastError: string;
}

/**
 * Writes a file-based discovery entry and waits until Prometheus scrapes it successfully; the returned
 * function removes the entry again.
 */
async function registerScrapeTarget(dir: string, prometheusUrl: string, job: string, metricsUrl: string): Promise<() => Promise<void>> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(job)) throw new ToolingError(`monitoring: scrape job '${job}' must be letters, digits, '.', '_' or '-'`);
  const url = new URL(metricsUrl);
  if (!loopbackHost(url.hostname)) throw new ToolingError(`monitoring: only loopback targets are scraped, not ${url.host}`);
  const file = join(monitoringPaths.targets(dir), `${job}.json`);
  await writeFileAtomic(file, JSON.stringify(scrapeTargetFile(job, url)) + "\n");
  chmodSync(file, 0o644);
  const unregister = async () => {
    await unlink(file).catch(() => undefined);
  };
  let last: ActiveTarget | undefined;
  try {
    await waitForOrThrow(
      async () => {
        const response = await fetch(`${prometheusUrl}/api/v1/targets?state=active`, { signal: AbortSignal.timeout(5_000) });
        const body = (await response.json()) as { data: { activeTargets: ActiveTarget[] } };
        last = body.data.activeTargets.find((target) => target.labels.job === job && target.labels.instance === url.host);
        return last?.health === "up";
      },
      { timeoutMs: 30_000, intervalMs: 200, description: `Prometheus to scrape ${metricsUrl}` },
      () => new ToolingError(`monitoring: Prometheus did not scrape ${metricsUrl} as job ${job} within 30 s${last ? ` (health ${last.health}: ${last.lastError})` : " (target not discovered)"}`),
    );
  } catch (error) {
    await unregister();
    throw error;
  }
  return unregister;
}

/** True while Prometheus and Alertmanager of the estate answer (for waits in tests and status). */
export async function isUp(): Promise<boolean> {
  const state = readState();
  return state !== undefined && (await answers(`${urlOf(state.ports.prometheus)}/-/ready`)) && (await answers(`${urlOf(state.ports.alertmanager)}/-/ready`));
}

