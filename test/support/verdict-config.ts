import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A config for verdict tests: the demo target's endpoints and SLOs (critical: p95 < 200 ms, p99 < 500 ms,
 * errors < 0.1 %), with profiles whose request counts are exact, so every expected fraction is too.
 */
export const verdictProfiles = {
  /** 1000 iterations: browse-catalog sends 1000 list-items and 1000 get-item requests. */
  thousand: { executor: "constant-arrival-rate", ratePerSecond: 100, duration: "10s" },
  /** 1001 iterations. */
  "thousand-and-one": { executor: "constant-arrival-rate", ratePerSecond: 143, duration: "7s" },
  /** 11 iterations: smoke's 11 requests per endpoint. */
  eleven: { executor: "constant-arrival-rate", ratePerSecond: 11, duration: "1s" },
  /** One VU for 50 iterations a second: a generator starved on purpose. */
  starved: { executor: "constant-arrival-rate", ratePerSecond: 50, duration: "4s", preAllocatedVUs: 1, maxVUs: 1 },
} as const;

export function writeVerdictConfig(): string {
  const config = {
    slo: {
      critical: { latencyP95Ms: 200, latencyP99Ms: 500, errorRate: 0.001 },
      standard: { latencyP95Ms: 500, latencyP99Ms: 1000, errorRate: 0.01 },
    },
    endpoints: [
      { name: "list-items", method: "GET", path: "/api/items", criticality: "critical" },
      { name: "get-item", method: "GET", path: "/api/items/{id}", criticality: "critical" },
      { name: "create-order", method: "POST", path: "/api/orders", criticality: "critical" },
      { name: "get-order", method: "GET", path: "/api/orders/{id}", criticality: "standard" },
    ],
    profiles: verdictProfiles,
    suites: {},
    environments: { test: { baseUrl: "http://127.0.0.1:9" } },
    defaultEnvironment: "test",
  };
  const path = join(mkdtempSync(join(tmpdir(), "bulwark-verdict-config-")), "bulwark.config.json");
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}
