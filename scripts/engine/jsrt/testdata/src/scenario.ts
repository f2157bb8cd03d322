import http from "k6/http";
import k6, { check, group, sleep } from "k6";
import exec from "k6/execution";
import { Counter, Trend } from "k6/metrics";
import { explode, listItems } from "./lib/requests.ts";

const baseUrl: string = __ENV.BASE_URL ?? "http://127.0.0.1:1";
const ordersPlaced = new Counter("orders_placed");
const itemLatency = new Trend("item_latency", true);

export const options = {
  scenarios: { main: { executor: "shared-iterations", vus: 1, iterations: 1 } },
  thresholds: { http_req_duration: ["p(95)<500"] },
};

export function setup(): { token: string } {
  return { token: "t-" + __VU };
}

export default function (data: { token: string }): void {
  group("catalog", () => {
    const items = listItems(baseUrl);
    const first = items[0]?.id ?? 0;
    const response = http.post(`${baseUrl}/orders`, JSON.stringify({ itemId: first }), {
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${data.token}` },
    });
    itemLatency.add(response.timings.duration, { item: String(first) });
    k6.check(response, { "order created": (r) => r.status === 201 });
    ordersPlaced.add(1);
  });
  sleep(0.001);
}

export function boom(): void {
  explode(`iteration ${exec.vu.iterationInScenario}`);
}

export function teardown(data: { token: string }): void {
  console.log("teardown", data.token);
}

export function handleSummary(data: Record<string, unknown>): Record<string, string> {
  return { stdout: JSON.stringify(Object.keys(data)) };
}
