import { compileOptions } from "../thresholds/compile-options.ts";
import { findScenario } from "./catalog.ts";
import { loadPlan } from "./lib/plan.ts";
import { call, jsonBody } from "./lib/requests.ts";
import { assertHealthy } from "./lib/lifecycle.ts";

const plan = loadPlan();
export const options = compileOptions(plan, findScenario("browse-catalog")!.endpoints);

export function setup(): void {
  assertHealthy(plan);
}

/** A shopper lists a page of the catalogue and opens one of the items on it. */
export default function browseCatalog(): void {
  const page = jsonBody<{ items: { id: number }[] }>(call(plan, "list-items"))?.items ?? [];
  const picked = page[Math.floor(Math.random() * page.length)]?.id ?? 1;
  call(plan, "get-item", { params: { id: picked } });
}
