// The shipped `release` suite as a user runs it: `bulwark local up --monitoring`, then `bulwark gate
// release --env local` with bulwark's own config against the local estate (the cluster with its demo
// workloads, Prometheus and Alertmanager, the demo target). Every kind of step runs in it: load
// scenarios, static alerting checks, an alert check, a chaos experiment, a rollout check and a scaling
// check. Ground truth besides the verdicts: the suite's own config (which steps, which kinds), the
// cluster afterwards (back where it began) and report.html's pixels in Chromium (the shaded windows).
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { expect, vi } from "vitest";
import { summarySchema } from "../../reports/summary-schema.ts";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { builtInKinds } from "../../scripts/registry/kinds.ts";
import { scalingDemo } from "../../scripts/local/cluster/demo-workloads/scaling.ts";
import { clusterTest } from "../support/cluster-fixture.ts";
import { openInChromium } from "../support/headless-chromium.ts";
import { demoNamespace, demoRelease, expectSameRelease, requireStages } from "../support/rollout-fixture.ts";
import { runCli, temporaryReportsRoot } from "../support/run-cli.ts";

interface SuiteStep {
  [key: string]: unknown;
}

const shippedConfig = JSON.parse(readFileSync(repoPath("bulwark.config.json"), "utf8")) as { suites: { release: { steps: SuiteStep[] } } };
const releaseSteps = shippedConfig.suites.release.steps;

/** The kind a suite step names, by the one key of its kind that it carries (as the registry plans it). */
function kindOf(step: SuiteStep): string {
  const kind = builtInKinds.find((candidate) => candidate.suiteStepKey in step);
  if (!kind) throw new Error(`no kind for suite step ${JSON.stringify(step)}`);
  return kind.name;
}

/** The no-data verdicts the docs name for this suite: no run history yet, and simulated pods serving nothing. */
const documentedNoData = [/^insufficient history: 0 passing run\(s\) of gate release on local found/, /^not applicable: simulated pods \(KWOK nodes [^)]+\) serve no traffic/];

/**
 * Per chart of a step: pixels of each shaded window's fill (report-client.js phaseFill, alpha 0.14 on a
 * clear canvas). The alpha and colour are matched tightly: the series lines share these colours, but only
 * their few anti-aliased edge pixels come near that alpha. Plain JS: runs in the page.
 */
const measureShading = `(() => {
  const fills = { fault: [207, 34, 46], rollout: [191, 135, 0], rollback: [130, 80, 223] };
  return Array.from(document.querySelectorAll(".chart[data-step]")).map((element) => {
    const counts = { fault: 0, rollout: 0, rollback: 0 };
    const canvas = element.querySelector("canvas");
    if (canvas) {
      const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < pixels.length; i += 4) {
        if (pixels[i + 3] < 34 || pixels[i + 3] > 37) continue;
        for (const [kind, [r, g, b]] of Object.entries(fills)) {
          if (Math.max(Math.abs(pixels[i] - r), Math.abs(pixels[i + 1] - g), Math.abs(pixels[i + 2] - b)) <= 6) counts[kind]++;
        }
      }
    }
    return { step: Number(element.dataset.step), chart: element.dataset.chart, drawn: element.dataset.drawn === "true", ...counts };
  });
})()`;

interface ChartShading {
  step: number;
  chart: string;
  drawn: boolean;
  fault: number;
  rollout: number;
  rollback: number;
}

clusterTest("the shipped release suite passes on the local estate: every kind's step, summary.json, junit.xml and report.html with its shaded windows", { timeout: 600_000 }, async ({ kube }) => {
  await requireStages(kube);
  const monitoring = await runCli(["local", "up", "--monitoring"]);
  expect(monitoring.code, monitoring.stderr).toBe(0);

  // The demo workloads at rest, as the suite expects them (an earlier test may still be scaling in).
  await vi.waitFor(
    async () => {
      const hpa = await kube.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: scalingDemo.deployment, namespace: demoNamespace });
      const scaling = await kube.apps.readNamespacedDeployment({ name: scalingDemo.deployment, namespace: demoNamespace });
      const target = await kube.apps.readNamespacedDeployment({ name: "demo-target", namespace: demoNamespace });
      expect([hpa.status?.desiredReplicas, scaling.status?.readyReplicas, target.status?.readyReplicas]).toEqual([1, 1, 3]);
    },
    { timeout: 90_000, interval: 1000 },
  );
  const releaseBefore = await demoRelease(kube);

  const reports = temporaryReportsRoot();
  const startedAtMs = Date.now();
  const result = await runCli(["gate", "release", "--env", "local", "--out", reports], { BULWARK_AUDIT_LOG: join(reports, "audit.jsonl"), BULWARK_CONFIG: "", BULWARK_ENV: "" });
  const seconds = (Date.now() - startedAtMs) / 1000;
  process.stderr.write(`[release suite] bulwark gate release --env local: exit ${result.code} in ${seconds.toFixed(1)} s\n`);
  expect(result.code, result.stderr).toBe(0);

  const runs = readdirSync(reports).filter((entry) => existsSync(join(reports, entry, "summary.json")));
  expect(runs).toHaveLength(1);
  const runDirectory = join(reports, runs[0]!);
  const summary = summarySchema.parse(JSON.parse(readFileSync(join(runDirectory, "summary.json"), "utf8")));
  expect([summary.kind, summary.name, summary.environment, summary.verdict, summary.exitCode]).toEqual(["gate", "release", "local", "pass", 0]);

  // One step per suite step, in order, of the kind the suite names; every one passed.
  const expectedKinds = releaseSteps.map(kindOf);
  expect(new Set(expectedKinds)).toEqual(new Set(["scenario", "alert-rules", "alert", "chaos", "rollout", "scale"]));
  expect(summary.steps.map((step) => step.kind)).toEqual(expectedKinds);
  for (const step of summary.steps) {
    expect(step.verdict, `${step.name}: ${step.checks.filter((check) => check.verdict !== "pass").map((check) => `${check.name}: ${check.verdict} ${check.reason ?? ""}`).join("; ")}`).toBe("pass");
    expect(step.checks.length, `${step.name} has checks`).toBeGreaterThan(0);
    for (const check of step.checks) {
      if (check.verdict === "pass") continue;
      expect(check.verdict, `${step.name} / ${check.name}`).toBe("no-data");
      expect(documentedNoData.some((reason) => reason.test(check.reason ?? "")), `${step.name} / ${check.name}: ${check.reason}`).toBe(true);
    }
  }
  // The steps that did their kind's own work reported it (not only the load beside it).
  const stepOfKind = (kind: string) => summary.steps.find((step) => step.kind === kind)!;
  expect(stepOfKind("alert-rules").checks.map((check) => check.kind)).toEqual(["static", "static", "static"]);
  expect(stepOfKind("alert").checks.filter((check) => check.kind === "alert").length).toBeGreaterThanOrEqual(3);
  expect(stepOfKind("chaos").checks.some((check) => check.kind === "injection" && check.verdict === "pass")).toBe(true);
  expect(stepOfKind("rollout").checks.some((check) => check.kind === "rollout" && check.verdict === "pass")).toBe(true);
  expect(stepOfKind("scale").checks.filter((check) => check.kind === "scaling").every((check) => check.verdict === "pass")).toBe(true);
  expect(stepOfKind("scale").checks.filter((check) => check.kind === "scaling").length).toBe(4);

  // junit.xml: one testsuite per step, one testcase per check, nothing failed.
  const junit = readFileSync(join(runDirectory, "junit.xml"), "utf8");
  const testsuites = [...junit.matchAll(/<testsuite name="([^"]+)" tests="(\d+)" failures="(\d+)" errors="(\d+)"/g)].map((match) => ({ name: match[1], tests: Number(match[2]), failures: Number(match[3]), errors: Number(match[4]) }));
  expect(testsuites).toEqual(summary.steps.map((step) => ({ name: `release/${step.name}`, tests: step.checks.length, failures: 0, errors: 0 })));

  // report.html: the alert's and the chaos experiment's fault windows and the rollout's rollout and
  // rollback windows are shaded on their own step's charts, and only there.
  const reportFile = join(runDirectory, "report.html");
  expect(existsSync(reportFile)).toBe(true);
  await using opened = await openInChromium(reportFile);
  const { page, problems } = opened;
  const legend = await page.locator("#phases li").allInnerTexts();
  expect(legend).toEqual(expect.arrayContaining([expect.stringMatching(/^fault:kill-one-pod \(fault/), expect.stringMatching(/^fault:demo target errors 50 % \(fault/), expect.stringMatching(/^rollout \(rollout/), expect.stringMatching(/^rollback \(rollback/)]));
  const charts = (await page.evaluate(measureShading)) as ChartShading[];
  for (const chart of charts) expect(chart.drawn, `step ${chart.step} chart ${chart.chart}`).toBe(true);
  const p95Of = (kind: string) => charts.find((chart) => chart.chart === "p95" && chart.step === summary.steps.indexOf(stepOfKind(kind)))!;
  expect(p95Of("chaos").fault, "chaos: fault window shaded").toBeGreaterThan(2000);
  expect(p95Of("alert").fault, "alert: fault window shaded").toBeGreaterThan(2000);
  expect(p95Of("rollout").rollout, "rollout window shaded").toBeGreaterThan(2000);
  expect(p95Of("rollout").rollback, "rollback window shaded").toBeGreaterThan(2000);
  for (const kind of ["scenario", "scale"]) {
    const unshaded = charts.filter((chart) => summary.steps[chart.step]?.kind === kind);
    expect(unshaded.length, `${kind} charts`).toBeGreaterThan(0);
    for (const chart of unshaded) expect(Math.max(chart.fault, chart.rollout, chart.rollback), `${kind} step ${chart.step} ${chart.chart}: no windows of other steps`).toBeLessThan(200);
  }
  expect(problems).toEqual([]);

  // The estate is back where the suite found it: the demo release, all demo-target pods, no chaos left.
  expectSameRelease(await demoRelease(kube), releaseBefore);
  await vi.waitFor(
    async () => {
      const target = await kube.apps.readNamespacedDeployment({ name: "demo-target", namespace: demoNamespace });
      expect(target.status?.readyReplicas).toBe(3);
    },
    { timeout: 30_000, interval: 500 },
  );
  const leftovers = await kube.kubectl.must(["get", "podchaos", "-n", demoNamespace, "-o", "name"]);
  expect(leftovers.trim()).toBe("");
});
