// Acceptance 7: the probes against real things. An http probe against the demo target on loopback and
// prometheus probes against the local monitoring estate's real Prometheus, which scrapes the demo
// target of the run; a demo-fault (300 ms, 30 % errors) is the cause the test controls, so each probe
// must hold before, deviate while the fault is in, and hold again after.
import { expect } from "vitest";
import { isUp, up } from "../../scripts/local/monitoring/index.ts";
import { chaosProject, checkNamed, experiment } from "../support/chaos-experiment.ts";
import { clusterTest } from "../support/cluster-fixture.ts";

clusterTest("http and prometheus probes hold before, deviate during a demo fault and hold again after; their readings are journaled", async ({ namespace }) => {
  if (!(await isUp())) await up({ log: (line) => process.stderr.write(`[monitoring] ${line}\n`) });
  const probes = [
    { type: "http", name: "api-fast", path: "/api/items", tolerance: { status: 200, maxLatencyMs: 200 } },
    { type: "prometheus", name: "target-scraped", query: 'up{job="bulwark-chaos"}', tolerance: { comparator: "==", value: 1 } },
    { type: "prometheus", name: "no-server-errors", query: 'sum(increase(demo_http_requests_total{job="bulwark-chaos",status="500"}[3s])) or vector(0)', tolerance: { comparator: "==", value: 0 } },
  ];
  const project = chaosProject({
    chaosNamespaces: [namespace],
    environment: { monitoring: { local: true } },
    loadDuration: "20s",
    experiments: {
      probed: experiment(namespace, "web", {
        hypothesis: { interval: "500ms", probes },
        method: { before: "3s", faults: [{ name: "degrade", duration: "6s", demoFault: { latencyMs: 300, errorRate: 0.3 } }], after: "4s" },
        expectations: { phases: [], recoveryTime: "15s" },
        safety: { maxErrorRate: 0.9, window: "3s", minRequests: 10 },
      }),
    },
  });
  const { code, stderr } = await project.run(["chaos", "probed"]);
  expect(code, stderr).toBe(1);
  const summary = project.summary();

  // Prometheus scraped the run's demo target throughout: the probe held in every judged reading.
  const scraped = checkNamed(summary, "hypothesis target-scraped");
  expect(scraped).toMatchObject({ verdict: "pass", observed: 0 });
  expect(scraped.reason).toMatch(/before [1-9]\d*, during faults [1-9]\d*, after [1-9]\d*/);
  // The errors the demo target answered reached Prometheus: the probe deviated during the fault only.
  const errors = checkNamed(summary, "hypothesis no-server-errors");
  expect(errors.verdict).toBe("fail");
  expect(errors.reason).toMatch(/first during fault:degrade at [\d:.]+: sum\(increase\(.*\) = [\d.]+ \(tolerance: == 0\)/);
  const api = checkNamed(summary, "hypothesis api-fast");
  expect(api.verdict).toBe("fail");
  expect(api.reason).toMatch(/first during fault:degrade at [\d:.]+: GET \/api\/items: (200|500) in \d+(\.\d)? ms \(tolerance: status 200, latency <= 200 ms\)/);

  // Every reading is in the journal with its phase; before and after the fault they all held.
  const readings = project.journal("probed").filter((entry) => entry.event === "probe-reading");
  for (const probe of ["api-fast", "no-server-errors"]) {
    const own = readings.filter((entry) => entry.data?.probe === probe);
    const phaseOf = (entry: (typeof own)[number]) => String(entry.data?.phase);
    expect(own.filter((entry) => phaseOf(entry) === "before").every((entry) => entry.data?.holds === true), `${probe} before`).toBe(true);
    expect(own.filter((entry) => phaseOf(entry) === "fault:degrade").some((entry) => entry.data?.holds === false), `${probe} during`).toBe(true);
    expect(own.filter((entry) => phaseOf(entry) === "after degrade").length, `${probe} after`).toBeGreaterThan(0);
    expect(own.filter((entry) => phaseOf(entry) === "after degrade").every((entry) => entry.data?.holds === true), `${probe} after`).toBe(true);
  }
  // Prometheus needs a few scrapes to see the errors stop: the recovery time says how long.
  const recovery = checkNamed(summary, "recovery degrade within 15.0 s");
  expect(recovery.verdict).toBe("pass");
  expect(recovery.observed).toBeGreaterThan(0);
});
