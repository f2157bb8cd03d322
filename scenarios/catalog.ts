// Plain data shared by the CLI (Node) and the scenarios: no k6 or Node imports here.

export interface ScenarioEntry {
  name: string;
  description: string;
  /** Profile used when neither the suite, the command line nor the environment picks one. */
  defaultProfile: string;
  /** Endpoints (config names) the workflow calls; each gets its SLO thresholds. */
  endpoints: readonly string[];
}

export const scenarioCatalog = [
  {
    name: "smoke",
    description: "every endpoint at a trickle: is the service up and inside its SLOs at all?",
    defaultProfile: "smoke",
    endpoints: ["list-items", "get-item", "create-order", "get-order"],
  },
  {
    name: "browse-catalog",
    description: "a shopper lists the catalogue and opens item pages",
    defaultProfile: "load",
    endpoints: ["list-items", "get-item"],
  },
  {
    name: "place-order",
    description: "a shopper places an order and reads it back",
    defaultProfile: "load",
    endpoints: ["create-order", "get-order"],
  },
] as const satisfies readonly ScenarioEntry[];

export type ScenarioName = (typeof scenarioCatalog)[number]["name"];

export function findScenario(name: string): ScenarioEntry | undefined {
  return scenarioCatalog.find((entry) => entry.name === name);
}
