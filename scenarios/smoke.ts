import { sleep } from "k6";
import { compileOptions } from "../thresholds/compile-options.ts";
import { findScenario } from "./catalog.ts";
import { loadPlan } from "./lib/plan.ts";
import { call, jsonBody } from "./lib/requests.ts";
import { assertHealthy } from "./lib/lifecycle.ts";

const plan = loadPlan();
export const options = compileOptions(plan, findScenario("smoke")!.endpoints);

export function setup(): void {
  assertHealthy(plan);
}

/** One pass over every endpoint: list, open the first item, order it, read the order back. */
export default function smoke(): void {
  const items = jsonBody<{ items: { id: number }[] }>(call(plan, "list-items"))?.items ?? [];
  const first = items[0]?.id ?? 1;
  call(plan, "get-item", { params: { id: first } });
  const order = jsonBody<{ id: string }>(call(plan, "create-order", { body: { itemId: first, quantity: 1 } }));
  if (order?.id) call(plan, "get-order", { params: { id: order.id } });
  sleep(0.1);
}
