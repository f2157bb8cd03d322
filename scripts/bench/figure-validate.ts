import { readFileSync } from "node:fs";
import { repoPath } from "../core/repo-root.ts";
import { defaultRegistry } from "../registry/registry.ts";
import { median } from "./stats.ts";

export interface ValidationTime {
  endpoints: number;
  /** Median wall time of defaultRegistry.validate() over the trials, JSON already parsed. */
  medianMs: number;
  /** The same per 1000 endpoints: flat when validation is linear. */
  msPerThousandEndpoints: number;
}

export const validationSizes = [1_000, 10_000, 40_000] as const;

/** The shipped config with `count` endpoints, each with an SLO override and an environment override. */
function configWithEndpoints(count: number): Record<string, any> {
  const config = JSON.parse(readFileSync(repoPath("bulwark.config.json"), "utf8")) as Record<string, any>;
  const extra = Array.from({ length: count - config.endpoints.length }, (_, index) => ({ name: `bench-endpoint-${index}`, method: "GET", path: `/bench/${index}`, criticality: index % 2 === 0 ? "critical" : "standard", slo: { latencyP95Ms: 250 } }));
  config.endpoints.push(...extra);
  config.environments.local.slo = Object.fromEntries(extra.map((endpoint) => [endpoint.name, { errorRate: 0.02 }]));
  return config;
}

/** (f) config validation time at 1k, 10k and 40k endpoints: shows it is linear (it was quadratic). */
export function measureValidation(trials = 3): ValidationTime[] {
  return validationSizes.map((endpoints) => {
    const times: number[] = [];
    for (let trial = 0; trial < trials; trial += 1) {
      const raw = configWithEndpoints(endpoints);
      const started = process.hrtime.bigint();
      const result = defaultRegistry.validate(raw);
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
      if ("errors" in result) throw new Error(`validation bench config rejected: ${result.errors[0]}`);
    }
    const medianMs = median(times) ?? 0;
    return { endpoints, medianMs, msPerThousandEndpoints: (medianMs / endpoints) * 1000 };
  });
}
