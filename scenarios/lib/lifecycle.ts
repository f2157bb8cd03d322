import http from "k6/http";
import type { RunPlan } from "../../thresholds/run-plan.ts";
import { authorizationHeaders } from "./requests.ts";

/** setup(): refuse to put load on a target that is not healthy, with a message that says why. */
export function assertHealthy(plan: RunPlan): void {
  if (plan.healthPath === null) return;
  const url = plan.baseUrl.replace(/\/$/, "") + plan.healthPath;
  const response = http.get(url, { headers: authorizationHeaders(), tags: { endpoint: "health-check" }, timeout: "5s" });
  if (response.status !== 200) {
    const reason = response.error ? response.error : `HTTP ${response.status}`;
    throw new Error(`bulwark: target unhealthy, refusing to start load: GET ${url} -> ${reason}`);
  }
}
