import { nanoid } from "nanoid/non-secure";
import { defineScenario, jsonBody } from "./lib/scenario.ts";

export const scenario = defineScenario({
  name: "place-order",
  description: "a shopper places an order and reads it back",
  defaultProfile: "load",
  endpoints: ["create-order", "get-order"],
});
export const options = scenario.options;
export const setup = scenario.setup;

/** A shopper places an order (with an idempotency key, as real clients do) and reads it back. */
export default function placeOrder(): void {
  const itemId = 1 + Math.floor(Math.random() * 50);
  const order = jsonBody<{ id: string }>(scenario.call("create-order", { body: { itemId, quantity: 1, idempotencyKey: nanoid() } }));
  if (order?.id) scenario.call("get-order", { params: { id: order.id } });
}
