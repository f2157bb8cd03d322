// Taking one reading of a probe: an HTTP request to the target under load, a Deployment's available
// replicas or the Ready pods of the target's selector, a PromQL instant query.
import type { AppsV1Api, CoreV1Api, V1Pod } from "@kubernetes/client-node";
import type { Experiment, HttpProbeDefinition, K8sProbeDefinition, ProbeDefinition, PrometheusProbeDefinition } from "./schema.ts";
import { judgeCount, judgeHttp, judgePrometheus, type ProbeReading } from "./tolerance.ts";

export interface ProbeEnvironment {
  target: Experiment["target"];
  /** The load's target (no credentials); http probes are sent here. */
  baseUrl?: string;
  authorization?: string;
  kube?: { core: CoreV1Api; apps: AppsV1Api };
  prometheusUrl?: string;
}

export const labelSelectorText = (labels: Record<string, string>): string =>
  Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(",");

export function isReady(pod: V1Pod): boolean {
  return !pod.metadata?.deletionTimestamp && pod.status?.phase === "Running" && (pod.status.conditions ?? []).some((condition) => condition.type === "Ready" && condition.status === "True");
}

async function readHttp(probe: HttpProbeDefinition, environment: ProbeEnvironment) {
  if (!environment.baseUrl) return { holds: false, value: null, detail: "no target base URL (the experiment's load has none)" };
  const started = performance.now();
  try {
    const response = await fetch(new URL(probe.path, environment.baseUrl), {
      signal: AbortSignal.timeout(probe.timeoutMs),
      headers: environment.authorization ? { authorization: environment.authorization } : {},
    });
    await response.arrayBuffer();
    return judgeHttp(probe, { status: response.status, latencyMs: performance.now() - started });
  } catch (error) {
    return judgeHttp(probe, { status: null, latencyMs: performance.now() - started, error: error instanceof Error ? error.message : String(error) });
  }
}

async function readK8s(probe: K8sProbeDefinition, environment: ProbeEnvironment) {
  if (!environment.kube) return { holds: false, value: null, detail: "no cluster (environment without kubernetes)" };
  const namespace = environment.target.namespace;
  if (probe.check === "deployment-available") {
    const name = probe.deployment ?? environment.target.deployment!;
    const deployment = await environment.kube.apps.readNamespacedDeployment({ name, namespace });
    return judgeCount(probe, deployment.status?.availableReplicas ?? 0, `available replicas of deployment ${namespace}/${name}`);
  }
  const pods = await environment.kube.core.listNamespacedPod({ namespace, labelSelector: labelSelectorText(environment.target.selector) });
  return judgeCount(probe, pods.items.filter(isReady).length, `Ready pods matching ${labelSelectorText(environment.target.selector)}`);
}

/** The first sample's value of an instant query; null for an empty result. */
export async function queryPrometheus(prometheusUrl: string, query: string): Promise<number | null> {
  const url = new URL("/api/v1/query", prometheusUrl);
  url.searchParams.set("query", query);
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  const body = (await response.json()) as { status: string; error?: string; data?: { resultType: string; result: unknown } };
  if (body.status !== "success") throw new Error(`Prometheus refused the query: ${body.error ?? response.status}`);
  const result = body.data?.result;
  if (body.data?.resultType === "scalar") return Number((result as [number, string])[1]);
  const first = (result as { value: [number, string] }[] | undefined)?.[0];
  return first ? Number(first.value[1]) : null;
}

async function readPrometheus(probe: PrometheusProbeDefinition, environment: ProbeEnvironment) {
  if (!environment.prometheusUrl) return { holds: false, value: null, detail: "no Prometheus (environment without monitoring)" };
  return judgePrometheus(probe, await queryPrometheus(environment.prometheusUrl, probe.query));
}

/** One reading; a probe that cannot be taken (API error, refused query) is a reading that does not hold. */
export async function readProbe(probe: ProbeDefinition, environment: ProbeEnvironment): Promise<ProbeReading> {
  const startedAtMs = Date.now();
  try {
    const reading = probe.type === "http" ? await readHttp(probe, environment) : probe.type === "k8s" ? await readK8s(probe, environment) : await readPrometheus(probe, environment);
    return { probe: probe.name, startedAtMs, atMs: Date.now(), ...reading };
  } catch (error) {
    return { probe: probe.name, startedAtMs, atMs: Date.now(), holds: false, value: null, detail: `could not be read: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}` };
  }
}

export const readAll = (probes: readonly ProbeDefinition[], environment: ProbeEnvironment): Promise<ProbeReading[]> => Promise.all(probes.map((probe) => readProbe(probe, environment)));
