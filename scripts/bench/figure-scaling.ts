// (g) Observation latency of the scaling watcher: from a change sent to the local API server to the
// watcher's record of it (the watch event's arrival), for a Deployment's spec.replicas and an HPA's
// spec.maxReplicas. Needs the local cluster (bulwark local up --cluster); the goal is under 1 s.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { realClock } from "../core/clock.ts";
import { say } from "../core/output.ts";
import { kubeconfigPath } from "../local/cluster/index.ts";
import { ScalingWatcher } from "../kinds/scaling/watcher.ts";
import type { ReplicaSample } from "../kinds/scaling/timeline.ts";
import { median, round } from "./stats.ts";

export interface LatencyFigures {
  trials: number;
  medianMs: number | null;
  p95Ms: number | null;
  maxMs: number | null;
}

export interface ObservationLatency {
  /** Request sent -> record (an upper bound on API change -> record: the change is committed in between). */
  deployment: LatencyFigures;
  hpa: LatencyFigures;
  /** Request sent -> the API server's answer, for comparison: the part of the figure that is the API's own. */
  apiRoundTrip: LatencyFigures;
}

function figures(values: readonly number[]): LatencyFigures {
  const sorted = [...values].sort((a, b) => a - b);
  const p95 = sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]!;
  return { trials: values.length, medianMs: round(median(sorted), 1), p95Ms: round(p95, 1), maxMs: round(sorted[sorted.length - 1] ?? null, 1) };
}

/** Resolves with the instant the watcher recorded a sample meeting `met`. */
function recorded(watcher: ScalingWatcher, met: (sample: ReplicaSample) => boolean, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no record within ${timeoutMs} ms`));
    }, timeoutMs);
    const unsubscribe = watcher.onRecord((kind, atMs) => {
      const samples = watcher.timeline().samples;
      if (kind === "sample" && met(samples[samples.length - 1]!)) {
        clearTimeout(timer);
        unsubscribe();
        resolve(atMs);
      }
    });
  });
}

export async function measureObservationLatency(trials: number): Promise<ObservationLatency | null> {
  const kubeconfig = await kubeconfigPath();
  if (!existsSync(kubeconfig)) {
    say("bench: (g) skipped: the local cluster is not running (bulwark local up --cluster)");
    return null;
  }
  const k8s = await import("@kubernetes/client-node");
  const config = new k8s.KubeConfig();
  config.loadFromFile(kubeconfig);
  const core = config.makeApiClient(k8s.CoreV1Api);
  const apps = config.makeApiClient(k8s.AppsV1Api);
  const autoscaling = config.makeApiClient(k8s.AutoscalingV2Api);
  const mergePatch = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);
  const namespace = `bulwark-bench-${randomBytes(3).toString("hex")}`;
  const labels = { app: "bench" };
  await core.createNamespace({ body: { metadata: { name: namespace, labels: { "app.kubernetes.io/managed-by": "bulwark-bench" } } } });
  try {
    await apps.createNamespacedDeployment({
      namespace,
      body: { metadata: { name: "bench" }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: "app", image: "bulwark/bench:1" }] } } } },
    });
    // The HPA scales another (absent) Deployment, so that changing the bench Deployment's replicas is never undone.
    await autoscaling.createNamespacedHorizontalPodAutoscaler({
      namespace,
      body: { metadata: { name: "bench" }, spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "bench-absent" }, minReplicas: 1, maxReplicas: 5, metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } }] } },
    });
    const watcher = new ScalingWatcher(config, { namespace, deployment: "bench", hpa: "bench" }, realClock);
    await watcher.start();
    const deploymentMs: number[] = [];
    const hpaMs: number[] = [];
    const roundTripMs: number[] = [];
    try {
      for (let trial = 0; trial < trials; trial++) {
        const replicas = trial % 2 === 0 ? 2 : 1;
        const seenReplicas = recorded(watcher, (sample) => sample.specReplicas === replicas, 10_000);
        const sentMs = realClock.now();
        await apps.patchNamespacedDeployment({ name: "bench", namespace, body: { spec: { replicas } } }, mergePatch);
        roundTripMs.push(realClock.now() - sentMs);
        deploymentMs.push((await seenReplicas) - sentMs);

        const maxReplicas = trial % 2 === 0 ? 6 : 5;
        const seenMax = recorded(watcher, (sample) => sample.maxReplicas === maxReplicas, 10_000);
        const hpaSentMs = realClock.now();
        await autoscaling.patchNamespacedHorizontalPodAutoscaler({ name: "bench", namespace, body: { spec: { maxReplicas } } }, mergePatch);
        roundTripMs.push(realClock.now() - hpaSentMs);
        hpaMs.push((await seenMax) - hpaSentMs);
      }
    } finally {
      watcher.stop();
    }
    return { deployment: figures(deploymentMs), hpa: figures(hpaMs), apiRoundTrip: figures(roundTripMs) };
  } finally {
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  }
}
