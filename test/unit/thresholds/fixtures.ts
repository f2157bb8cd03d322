import type { RunPlan } from "../../../thresholds/run-plan.ts";
import type { Profile } from "../../../thresholds/schema.ts";

export const constantProfile: Profile = {
  executor: "constant-arrival-rate",
  ratePerSecond: 20,
  duration: "10s",
  preAllocatedVUs: 5,
  maxVUs: 20,
  maxDroppedIterations: 0,
  abortOnFail: false,
};

export function planWith(profile: Profile = constantProfile): RunPlan {
  return {
    runId: "test-run",
    scenario: "browse-catalog",
    profileName: "load",
    profile,
    baseUrl: "http://127.0.0.1:8080",
    healthPath: "/health",
    checksPassRate: 0.999,
    endpoints: [
      { name: "list-items", method: "GET", path: "/api/items", criticality: "critical", slo: { latencyP95Ms: 200, latencyP99Ms: 500, errorRate: 0.001 } },
      { name: "get-item", method: "GET", path: "/api/items/{id}", criticality: "standard", slo: { latencyP95Ms: 450, latencyP99Ms: 900, errorRate: 0.01 } },
    ],
  };
}
