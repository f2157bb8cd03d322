// Why an expectation failed, told from what the cluster itself said: the HPA's conditions (AbleToScale,
// ScalingActive, ScalingLimited), recent Warning events, and the pods that the HPA wanted but that did not
// become Ready (Pending with FailedScheduling, quota refusals, image errors). Pure: a function of the timeline.
import { formatMs } from "../../core/format.ts";
import type { ExpectationOutcome } from "./expectations.ts";
import { conditionsAt, currentOf, desiredOf, latestAt, podsAt, type ClusterEvent, type ConditionSample, type MetricReading, type ReplicaSample, type ScalingTimeline } from "./timeline.ts";

const longestMessage = 160;
const shorten = (text: string): string => {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > longestMessage ? `${line.slice(0, longestMessage - 1)}…` : line;
};

/** Conditions that stop or limit scaling: AbleToScale=False, ScalingActive=False, ScalingLimited=True. */
export function isTroubling(condition: Pick<ConditionSample, "type" | "status">): boolean {
  if (condition.type === "ScalingLimited") return condition.status === "True";
  if (condition.type === "AbleToScale" || condition.type === "ScalingActive") return condition.status !== "True";
  return false;
}

/** "ScalingLimited=True, TooManyReplicas (maxReplicas 3)", "ScalingActive=False, FailedGetResourceMetric: <message>". */
export function describeCondition(condition: ConditionSample, sample: ReplicaSample | undefined, withMessage = true): string {
  const head = `${condition.type}=${condition.status}, ${condition.reason || "no reason given"}`;
  if (condition.reason === "TooManyReplicas" && sample?.maxReplicas != null) return `${head} (maxReplicas ${sample.maxReplicas})`;
  if (condition.reason === "TooFewReplicas" && sample?.minReplicas != null) return `${head} (minReplicas ${sample.minReplicas})`;
  if (condition.reason === "ScaleUpLimit" || condition.reason === "ScaleDownLimit") return `${head} (the HPA's behavior policies limit each step)`;
  return condition.message && withMessage ? `${head}: ${shorten(condition.message)}` : head;
}

/** The troubling conditions in effect at any time in [fromMs, toMs], the latest troubled state of each type. */
export function troublingConditions(timeline: ScalingTimeline, fromMs: number, toMs: number): ConditionSample[] {
  const inEffect = [...conditionsAt(timeline, fromMs).values(), ...timeline.conditions.filter((condition) => condition.atMs > fromMs && condition.atMs <= toMs)];
  const latestTroubleByType = new Map<string, ConditionSample>();
  for (const condition of inEffect) if (isTroubling(condition)) latestTroubleByType.set(condition.type, condition);
  return [...latestTroubleByType.values()];
}

/** Conditions troubling at `atMs` itself: what held the replica count where it was judged. */
export function troublingAt(timeline: ScalingTimeline, atMs: number): ConditionSample[] {
  return [...conditionsAt(timeline, atMs).values()].filter(isTroubling);
}

/** Metric-related reasons the HPA and its events use when it cannot compute a recommendation. */
const metricTroubleReasons = /^(FailedGetResourceMetric|FailedGetPodsMetric|FailedGetObjectMetric|FailedGetExternalMetric|FailedGetContainerResourceMetric|FailedComputeMetricsReplicas|InvalidMetricSourceType|InvalidSelector)$/;

/** Warning events in [fromMs, toMs], one per object kind and reason (the latest), newest first. */
export function recentWarnings(timeline: ScalingTimeline, fromMs: number, toMs: number): ClusterEvent[] {
  const byReason = new Map<string, ClusterEvent>();
  for (const event of timeline.events) {
    if (event.type !== "Warning" || event.atMs < fromMs || event.atMs > toMs) continue;
    byReason.set(`${event.object.split("/")[0]}|${event.reason}`, event);
  }
  return [...byReason.values()].sort((a, b) => b.atMs - a.atMs);
}

const describeEvent = (event: ClusterEvent): string => `${event.reason} on ${event.object}: ${shorten(event.message)}`;

/** Desired replicas that are not Ready, explained from the pods and the ReplicaSets' events. */
export function unreadyReplicas(timeline: ScalingTimeline, fromMs: number, atMs: number): string[] {
  const sample = latestAt(timeline.samples, atMs);
  const desired = sample ? desiredOf(sample) : null;
  if (!sample || desired === null || sample.ready >= desired) return [];
  const reasons: string[] = [];
  const pods = podsAt(timeline, atMs);
  const troubled = pods.filter((pod) => !pod.ready && pod.problem);
  const byProblem = new Map<string, { count: number; message: string | null; phase: string }>();
  for (const pod of troubled) {
    const entry = byProblem.get(pod.problem!) ?? { count: 0, message: pod.problemMessage, phase: pod.phase };
    entry.count++;
    byProblem.set(pod.problem!, entry);
  }
  for (const [problem, { count, message, phase }] of byProblem) {
    const label = problem === "Unschedulable" ? `${phase} (FailedScheduling)` : problem;
    reasons.push(`${count} pod${count === 1 ? "" : "s"} ${label}${message ? `: ${shorten(message)}` : ""}`);
  }
  const missing = desired - pods.length;
  if (missing > 0) {
    const refusal = [...timeline.events]
      .reverse()
      .find((event) => event.atMs >= fromMs && event.atMs <= atMs && event.object.startsWith("ReplicaSet/") && event.reason === "FailedCreate");
    reasons.push(`${missing} pod${missing === 1 ? "" : "s"} not created${refusal ? `: FailedCreate: ${shorten(refusal.message)}` : ""}`);
  }
  const waiting = pods.filter((pod) => !pod.ready && !pod.problem).length;
  if (reasons.length === 0 && waiting > 0) reasons.push(`${waiting} pod${waiting === 1 ? "" : "s"} not Ready yet`);
  return reasons.length === 0 ? [] : [`desired ${desired}, ready ${sample.ready}: ${reasons.join("; ")}`];
}

const metricText = (metric: MetricReading | null): string | null =>
  metric && metric.current !== null && metric.target !== null ? `${metric.name} ${formatNumber(metric.current)}${metric.unit === "%" ? " %" : ` ${metric.unit}`} against a target of ${formatNumber(metric.target)}${metric.unit === "%" ? " %" : ` ${metric.unit}`}` : null;

const formatNumber = (value: number): string => String(Math.round(value * 100) / 100);

/** Warnings count as recent when they came this close to the judged instant (the HPA repeats them every sync). */
const recentWarningMs = 30_000;

/**
 * Everything the cluster said that bears on the replica count judged at `atMs`: the conditions troubling
 * then, the pods behind desired replicas that were not Ready, recent warnings (metric warnings only
 * while the metric condition is still troubled), and trouble that had cleared by then, briefly.
 */
export function clusterReasons(timeline: ScalingTimeline, fromMs: number, atMs: number, want: "more" | "fewer"): string[] {
  const sample = latestAt(timeline.samples, atMs);
  const current = troublingAt(timeline, atMs);
  const reasons = current.map((condition) => {
    const text = describeCondition(condition, sample);
    return condition.type === "ScalingActive" && metricTroubleReasons.test(condition.reason) ? `metrics unavailable: ${text}` : text;
  });
  if (want === "more") reasons.push(...unreadyReplicas(timeline, fromMs, atMs));
  const metricsTroubled = current.some((condition) => condition.type === "ScalingActive");
  const mentioned = new Set(current.map((condition) => condition.reason));
  for (const warning of recentWarnings(timeline, Math.max(fromMs, atMs - recentWarningMs), atMs)) {
    if (mentioned.has(warning.reason) || warning.reason === "FailedCreate" || warning.object.startsWith("Pod/")) continue;
    const isMetric = metricTroubleReasons.test(warning.reason);
    if (isMetric && !metricsTroubled && conditionsAt(timeline, atMs).has("ScalingActive")) continue;
    reasons.push(isMetric ? `metrics unavailable: ${describeEvent(warning)}` : describeEvent(warning));
    mentioned.add(warning.reason);
  }
  const currentTypes = new Set(current.map((condition) => condition.type));
  const cleared = troublingConditions(timeline, fromMs, atMs).filter((condition) => !currentTypes.has(condition.type));
  for (const condition of cleared) {
    const clearedAt = timeline.conditions.find((later) => later.type === condition.type && later.atMs > condition.atMs && !isTroubling(later));
    reasons.push(`${describeCondition(condition, latestAt(timeline.samples, condition.atMs), false)} until +${formatMs(Math.max(0, (clearedAt?.atMs ?? atMs) - fromMs))}`);
  }
  if (sample && reasons.length === 0) {
    const desired = desiredOf(sample);
    const metric = metricText(sample.metric);
    if (want === "more" && desired !== null) reasons.push(`the HPA asked for ${desired}${metric ? `: ${metric}` : ""}`);
    if (want === "fewer" && desired !== null && desired > (currentOf(sample) ?? 0)) reasons.push(`the HPA asked for ${desired}`);
    if (want === "fewer" && desired !== null && desired <= (currentOf(sample) ?? 0)) {
      reasons.push(desired < (currentOf(sample) ?? 0) ? `the HPA asked for ${desired}; pods still terminating` : `the HPA still asked for ${desired}${metric ? `: ${metric}` : ""}`);
    }
  }
  return reasons;
}

/** The reason a check prints: the finding, and for a failure what the cluster said. */
export function explainOutcome(outcome: ExpectationOutcome, timeline: ScalingTimeline, window: { loadStartMs: number; loadEndMs: number }): string {
  if (outcome.verdict !== "fail") return outcome.finding;
  const fromMs = outcome.expectation === "scaleIn" ? window.loadEndMs : window.loadStartMs;
  const want = outcome.expectation === "scaleOut" ? "more" : "fewer";
  const reasons =
    outcome.expectation === "maxDirectionChanges" ? flappingReasons(timeline, window) : outcome.expectation === "neverAbove" ? overshootReasons(timeline, outcome) : clusterReasons(timeline, fromMs, outcome.atMs, want);
  // An HPA that may never reach the expected count says so in its own spec.
  const maxReplicas = latestAt(timeline.samples, outcome.atMs)?.maxReplicas;
  if (outcome.expectation === "scaleOut" && maxReplicas != null && maxReplicas < outcome.limit) reasons.unshift(`the HPA's maxReplicas ${maxReplicas} is below the ${outcome.limit} expected`);
  return reasons.length === 0 ? outcome.finding : `${outcome.finding}: ${reasons.join("; ")}`;
}

/** Above the maximum: what the HPA allowed itself and what its metric said then. */
function overshootReasons(timeline: ScalingTimeline, outcome: ExpectationOutcome): string[] {
  const sample = latestAt(timeline.samples, outcome.atMs);
  const metric = metricText(sample?.metric ?? null);
  return [
    ...(sample?.maxReplicas != null && sample.maxReplicas > outcome.limit ? [`the HPA's maxReplicas ${sample.maxReplicas} allows more than ${outcome.limit}`] : []),
    ...(metric ? [metric] : []),
  ];
}

/** Flapping: the metric's swings and the HPA's own limits say more than the count does. */
function flappingReasons(timeline: ScalingTimeline, window: { loadStartMs: number; loadEndMs: number }): string[] {
  const during = timeline.samples.filter((sample) => sample.atMs >= window.loadStartMs && sample.atMs <= window.loadEndMs);
  const values = during.map((sample) => sample.metric?.current).filter((value): value is number => typeof value === "number");
  const target = during.find((sample) => sample.metric?.target != null)?.metric;
  const reasons: string[] = [];
  if (values.length > 0 && target) reasons.push(`${target.name} ranged ${formatNumber(Math.min(...values))}-${formatNumber(Math.max(...values))} ${target.unit} against a target of ${formatNumber(target.target!)} ${target.unit} over ${formatMs(window.loadEndMs - window.loadStartMs)}`);
  reasons.push(...troublingConditions(timeline, window.loadStartMs, window.loadEndMs).map((condition) => describeCondition(condition, latestAt(timeline.samples, condition.atMs))));
  return reasons;
}
