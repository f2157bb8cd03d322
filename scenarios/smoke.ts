import { sleep } from "k6";
import { defineScenario, jsonBody } from "./lib/scenario.ts";

export const scenario = defineScenario({
  name: "smoke",
  description: "every endpoint of the demo shop at a trickle: is the service up and inside its SLOs at all?",
  defaultProfile: "smoke",
  endpoints: ["list-items", "get-item", "create-order", "get-order"],
});
export const options = scenario.options;
export const setup = scenario.setup;

/** One pass over every endpoint: list, open the first item, order it, read the order back. */
export default function smoke(): void {
  const items = jsonBody<{ items: { id: number }[] }>(scenario.call("list-items"))?.items ?? [];
  const first = items[0]?.id ?? 1;
  scenario.call("get-item", { params: { id: first } });
  const order = jsonBody<{ id: string }>(scenario.call("create-order", { body: { itemId: first, quantity: 1 } }));
  if (order?.id) scenario.call("get-order", { params: { id: order.id } });
  sleep(0.1);
}
