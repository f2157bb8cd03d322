// SIMULATION AID for the local test cluster only. KWOK's simulated pods do no work, so their CPU
// usage comes from the kwok.x-k8s.io/usage-cpu annotation (the cluster's ClusterResourceUsage reads it,
// kwok-controller serves it as the pod's metrics, metrics-server scrapes it, the real HPA controller
// acts on it). This bridge reads the request rate the demo target actually serves (its Prometheus
// counter, on loopback) and writes rate x CPU-per-request, spread over the Ready pods, as that
// annotation, so that a real load drives the real metrics pipeline and HPA end to end. It refuses to
// run anywhere but an environment whose kubernetes.local is true.
import type { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import type { Clock } from "../../core/clock.ts";
import { UsageError } from "../../core/errors.ts";
import type { EnvironmentConfig } from "../../../thresholds/schema.ts";
import type { UsageBridgeConfig } from "./definition.ts";
import { cpuPerReadyPod, ServedRate, totalRequests } from "./served-rate.ts";

/** The pod annotation KWOK's usage-from-annotation ClusterResourceUsage turns into CPU usage. */
export const usageCpuAnnotation = "kwok.x-k8s.io/usage-cpu";

/** How often the served rate is read and the annotations brought up to date. */
const intervalMs = 1000;
/** The rate is averaged over this window: smooth enough not to rewrite pods on every request. */
const rateWindowMs = 3000;

export interface UsageBridgeOptions {
  config: KubeConfig;
  environmentName: string;
  environment: EnvironmentConfig;
  namespace: string;
  /** The demo target's Prometheus endpoint (loopback only). */
  metricsUrl: string;
  settings: UsageBridgeConfig;
  /** The Deployment's Ready pods and all its live pods, as the watcher sees them. */
  readyPods(): string[];
  livePods(): string[];
  clock: Clock;
  /** The bridge stops by itself after this long, whatever happens to its caller. */
  maxDurationMs: number;
  log(line: string): void;
}

export interface UsageBridge {
  /** Stops and leaves every pod at idle usage. */
  stop(): Promise<void>;
  /** What the bridge wrote: (Unix ms, millicores per Ready pod), for the report. */
  readonly written: [number, number][];
  /** The highest served rate seen, requests/s. */
  peakRate(): number;
}

/** Loopback only: 127.0.0.0/8 and ::1. */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === "[::1]" || host === "::1";
}

/** Throws a UsageError unless the environment is the local test cluster and the metrics are on loopback. */
export function assertBridgeAllowed(environmentName: string, environment: EnvironmentConfig, metricsUrl?: string): void {
  if (environment.kubernetes?.local !== true) {
    throw new UsageError(`usageBridge: a simulation aid for the local test cluster only; environments.${environmentName}.kubernetes.local is not true`);
  }
  if (!environment.demo) throw new UsageError(`usageBridge: reads the request rate of the embedded demo target; environments.${environmentName}.demo is not true`);
  if (metricsUrl !== undefined && !isLoopbackUrl(metricsUrl)) throw new UsageError(`usageBridge: the demo target's metrics must be on loopback, not ${metricsUrl}`);
}

async function readTotal(metricsUrl: string): Promise<number | null> {
  const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(2000) });
  if (!response.ok) return null;
  return totalRequests(await response.text());
}

export async function startUsageBridge(options: UsageBridgeOptions): Promise<UsageBridge> {
  assertBridgeAllowed(options.environmentName, options.environment, options.metricsUrl);
  const k8s = await import("@kubernetes/client-node");
  const core: CoreV1Api = options.config.makeApiClient(k8s.CoreV1Api);
  const mergePatch = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);
  const { cpuMsPerRequest, idleMillicores } = options.settings;
  const rate = new ServedRate(rateWindowMs);
  const lastWritten = new Map<string, number>();
  const written: [number, number][] = [];
  const startedAtMs = options.clock.now();
  let peak = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let warned = false;

  const annotate = async (pod: string, millicores: number): Promise<void> => {
    if (lastWritten.get(pod) === millicores) return;
    try {
      await core.patchNamespacedPod({ name: pod, namespace: options.namespace, body: { metadata: { annotations: { [usageCpuAnnotation]: `${millicores}m` } } } }, mergePatch);
      lastWritten.set(pod, millicores);
    } catch (error) {
      // A pod deleted meanwhile (scale-in) is expected; anything else is said once.
      if (!warned && !/404|not found/i.test(error instanceof Error ? error.message : String(error))) {
        warned = true;
        options.log(`scale: usage bridge: cannot annotate pod ${options.namespace}/${pod}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };

  const tick = async (): Promise<void> => {
    const now = options.clock.now();
    const total = await readTotal(options.metricsUrl).catch(() => null);
    if (total !== null) rate.add(now, total);
    const perSecond = rate.perSecond();
    peak = Math.max(peak, perSecond);
    const ready = new Set(options.readyPods());
    const busy = cpuPerReadyPod(perSecond, cpuMsPerRequest, ready.size, idleMillicores);
    if (written[written.length - 1]?.[1] !== busy) written.push([now, busy]);
    await Promise.all(options.livePods().map((pod) => annotate(pod, ready.has(pod) ? busy : Math.round(idleMillicores))));
  };

  const schedule = () => {
    if (stopped) return;
    if (options.clock.now() - startedAtMs > options.maxDurationMs) {
      options.log(`scale: usage bridge stopped after its limit of ${Math.round(options.maxDurationMs / 1000)} s`);
      stopped = true;
      return;
    }
    timer = setTimeout(() => {
      running = tick().finally(schedule);
    }, intervalMs);
  };

  options.log(`scale: usage bridge (local simulation aid): ${cpuMsPerRequest} ms CPU per served request -> ${usageCpuAnnotation} on the Ready pods of ${options.namespace}`);
  running = tick().finally(schedule);
  return {
    written,
    peakRate: () => peak,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running.catch(() => undefined);
      await Promise.all(options.livePods().map((pod) => annotate(pod, Math.round(idleMillicores))));
    },
  };
}
