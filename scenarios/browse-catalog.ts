import { defineScenario, jsonBody } from "./lib/scenario.ts";

export const scenario = defineScenario({
  name: "browse-catalog",
  description: "a shopper lists the catalogue and opens item pages",
  defaultProfile: "load",
  endpoints: ["list-items", "get-item"],
});
export const options = scenario.options;
export const setup = scenario.setup;

/** A shopper lists a page of the catalogue and opens one of the items on it. */
export default function browseCatalog(): void {
  const page = jsonBody<{ items: { id: number }[] }>(scenario.call("list-items"))?.items ?? [];
  const picked = page[Math.floor(Math.random() * page.length)]?.id ?? 1;
  scenario.call("get-item", { params: { id: picked } });
}
