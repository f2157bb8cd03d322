import { sleep } from "k6";
import { defineScenario } from "./lib/scenario.ts";

export const scenario = defineScenario({
  name: "endpoints",
  description: "every configured endpoint once per iteration, with the config's example request: a service gated from its config alone",
  defaultProfile: "smoke",
  endpoints: "all",
});
export const options = scenario.options;
export const setup = scenario.setup;

/** One request per configured endpoint: path parameters, body and expected status from its `example`. */
export default function endpoints(): void {
  for (const endpoint of scenario.plan.endpoints) {
    const example = endpoint.example ?? {};
    scenario.call(endpoint.name, {
      ...(example.params ? { params: example.params } : {}),
      ...(example.body !== undefined ? { body: example.body } : {}),
      ...(example.status !== undefined ? { expectedStatus: example.status } : {}),
    });
  }
  sleep(0.1);
}
