import { nanoid } from "nanoid/non-secure";
import { compileOptions } from "../thresholds/compile-options.ts";
import { findScenario } from "./catalog.ts";
import { loadPlan } from "./lib/plan.ts";
import { call, jsonBody } from "./lib/requests.ts";
import { assertHealthy } from "./lib/lifecycle.ts";

const plan = loadPlan();
export const options = compileOptions(plan, findScenario("place-order")!.endpoints);

export function setup(): void {
  assertHealthy(plan);
}

/** A shopper places an order (with an idempotency key, as real clients do) and reads it back. */
export default function placeOrder(): void {
  const itemId = 1 + Math.floor(Math.random() * 50);
  const order = jsonBody<{ id: string }>(call(plan, "create-order", { body: { itemId, quantity: 1, idempotencyKey: nanoid() } }));
  if (order?.id) call(plan, "get-order", { params: { id: order.id } });
}
