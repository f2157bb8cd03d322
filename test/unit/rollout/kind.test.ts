import { describe, expect, it } from "vitest";
import { UsageError } from "../../../scripts/core/errors.ts";
import { rolloutCheckSchema } from "../../../scripts/kinds/rollout/definition.ts";
import { plannedRolloutStep, rolloutKind } from "../../../scripts/kinds/rollout/kind.ts";
import type { RunContext } from "../../../scripts/kinds/step-kind.ts";
import { environmentSchema } from "../../../thresholds/schema.ts";

function context(environment: Record<string, unknown>, extra: Partial<RunContext> = {}): RunContext {
  const rolloutChecks = { web: rolloutCheckSchema.parse({ namespace: "shop", deployment: "web", change: { image: "web:2" }, expect: { completesWithin: "1m" } }) };
  return {
    config: { rolloutChecks, profiles: {}, suites: {}, environments: {}, endpoints: [] } as unknown as RunContext["config"],
    environmentName: "staging",
    environment: environmentSchema.parse(environment),
    estate: {} as RunContext["estate"],
    abortSignal: new AbortController().signal,
    log: () => {},
    ...extra,
  };
}

const refusal = async (promise: Promise<unknown>): Promise<string> => {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(UsageError);
  return (error as Error).message;
};

describe("rollout steps before anything starts (exit 2)", () => {
  it("name an unknown check and the known ones", async () => {
    expect(await refusal(rolloutKind.check([plannedRolloutStep("x", "nope")], context({ kubernetes: { local: true } })))).toBe("unknown rollout check 'nope' (known: web)");
  });

  it("need the environment's cluster", async () => {
    expect(await refusal(rolloutKind.check([plannedRolloutStep("x", "web")], context({})))).toMatch(/^environments\.staging\.kubernetes: required for rollout checks/);
  });

  it("need --confirm-production in a production environment, with its name", async () => {
    const production = { kubernetes: { local: true }, production: true };
    expect(await refusal(rolloutKind.check([plannedRolloutStep("x", "web")], context(production)))).toMatch(/^--confirm-production: environment 'staging' is a production environment/);
    expect(await refusal(rolloutKind.check([plannedRolloutStep("x", "web")], context(production, { confirmProduction: "prod" })))).toMatch(/^--confirm-production/);
    await expect(rolloutKind.check([plannedRolloutStep("x", "web")], context(production, { confirmProduction: "staging" }))).resolves.toBeUndefined();
  });

  it("cross-check suites and loads in the config", () => {
    const config = {
      profiles: { smoke: {} },
      rolloutChecks: { web: rolloutCheckSchema.parse({ namespace: "shop", deployment: "web", change: { image: "web:2" }, load: { scenario: "smoke", profile: "heavy" }, expect: { completesWithin: "1m" } }) },
    } as unknown as RunContext["config"];
    expect(rolloutKind.configErrors(config, [{ suite: "release", index: 3, step: { rollout: "nope" } }])).toEqual([
      "suites.release.steps.3.rollout: unknown rollout check 'nope'",
      "rolloutChecks.web.load.profile: unknown profile 'heavy'",
    ]);
  });
});
