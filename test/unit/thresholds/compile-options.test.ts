import { describe, expect, it } from "vitest";
import { compileOptions, plannedDurationMs, sizeVus } from "../../../thresholds/compile-options.ts";
import { constantProfile, planWith } from "./fixtures.ts";
import type { Profile } from "../../../thresholds/schema.ts";

const rampingProfile: Profile = {
  executor: "ramping-arrival-rate",
  startRate: 5,
  stages: [
    { target: 100, duration: "1m" },
    { target: 0, duration: "30s" },
  ],
  preAllocatedVUs: 10,
  maxVUs: 200,
  maxDroppedIterations: 3,
  abortOnFail: true,
};

describe("compileOptions", () => {
  it("uses an open-model arrival-rate executor with the profile's rate and VUs", () => {
    const options = compileOptions(planWith(), ["list-items"]);
    expect(options.scenarios["browse-catalog"]).toMatchObject({ executor: "constant-arrival-rate", rate: 20, timeUnit: "1s", duration: "10s", preAllocatedVUs: 5, maxVUs: 20 });
  });

  it("puts p95, p99 and error-rate thresholds on each exercised endpoint through its tag", () => {
    const { thresholds } = compileOptions(planWith(), ["list-items", "get-item"]);
    expect(thresholds["http_req_duration{endpoint:list-items}"]).toEqual(["p(95)<200", "p(99)<500"]);
    expect(thresholds["http_req_failed{endpoint:list-items}"]).toEqual(["rate<0.001"]);
    expect(thresholds["http_req_duration{endpoint:get-item}"]).toEqual(["p(95)<450", "p(99)<900"]);
    expect(thresholds["http_req_failed{endpoint:get-item}"]).toEqual(["rate<0.01"]);
  });

  it("requires samples for every endpoint so that an unexercised endpoint cannot pass silently", () => {
    const { thresholds } = compileOptions(planWith(), ["list-items"]);
    expect(thresholds["http_reqs{endpoint:list-items}"]).toEqual(["count>0"]);
  });

  it("leaves out endpoints the scenario does not call", () => {
    const { thresholds } = compileOptions(planWith(), ["list-items"]);
    expect(Object.keys(thresholds).some((key) => key.includes("get-item"))).toBe(false);
  });

  it("fails the run on failed checks; dropped iterations judge the generator, so they are no threshold", () => {
    const { thresholds } = compileOptions(planWith(rampingProfile), ["list-items"]);
    expect(thresholds.checks).toEqual(["rate>0.999"]);
    expect(thresholds.dropped_iterations).toBeUndefined();
  });

  it("aborts on a crossed SLO for stress-like profiles, after a short evaluation delay", () => {
    const options = compileOptions(planWith(rampingProfile), ["list-items"]);
    expect(options.scenarios["browse-catalog"]).toMatchObject({ executor: "ramping-arrival-rate", startRate: 5, stages: rampingProfile.executor === "ramping-arrival-rate" ? rampingProfile.stages : [] });
    expect(options.thresholds["http_req_duration{endpoint:list-items}"]?.[0]).toEqual({ threshold: "p(95)<200", abortOnFail: true, delayAbortEval: "5s" });
  });

  it("does not abort on failure for steady-load profiles", () => {
    const { thresholds } = compileOptions(planWith(constantProfile), ["list-items"]);
    expect(thresholds["http_req_duration{endpoint:list-items}"]?.every((entry) => typeof entry === "string")).toBe(true);
  });

  it("reports p50 to p99 in the summary", () => {
    expect(compileOptions(planWith(), ["list-items"]).summaryTrendStats).toEqual(expect.arrayContaining(["p(50)", "p(90)", "p(95)", "p(99)", "max"]));
  });

  it("refuses an endpoint the config does not define", () => {
    expect(() => compileOptions(planWith(), ["checkout"])).toThrow(/endpoint 'checkout'/);
  });
});

describe("sizeVus: Little's law unless the profile fixes the VUs", () => {
  const { endpoints } = planWith();
  const unsized = { ...constantProfile, preAllocatedVUs: undefined, maxVUs: undefined };

  it("allocates the concurrency at the SLO latency and allows twice that", () => {
    // 20 iterations/s, each list-items (p95 limit 200 ms) then get-item (450 ms): 20 x 0.65 s = 13 in flight.
    expect(sizeVus(unsized, endpoints)).toEqual({ preAllocatedVUs: 13, maxVUs: 26, sizedBy: "littles-law" });
    expect(compileOptions(planWith(unsized), ["list-items", "get-item"]).scenarios["browse-catalog"]).toMatchObject({ preAllocatedVUs: 13, maxVUs: 26 });
  });

  it("sizes a ramping profile for its peak rate", () => {
    expect(sizeVus({ ...rampingProfile, preAllocatedVUs: undefined, maxVUs: undefined }, endpoints.slice(0, 1))).toEqual({ preAllocatedVUs: 20, maxVUs: 40, sizedBy: "littles-law" });
  });

  it("keeps what the profile fixes", () => {
    expect(sizeVus(constantProfile, endpoints)).toEqual({ preAllocatedVUs: 5, maxVUs: 20, sizedBy: "profile" });
    expect(sizeVus({ ...unsized, maxVUs: 4 }, endpoints)).toEqual({ preAllocatedVUs: 4, maxVUs: 4, sizedBy: "profile" });
    expect(sizeVus({ ...unsized, preAllocatedVUs: 40 }, endpoints)).toEqual({ preAllocatedVUs: 40, maxVUs: 40, sizedBy: "littles-law" });
  });
});

describe("plannedDurationMs", () => {
  it("is the duration of a constant profile and the sum of the stages of a ramping one", () => {
    expect(plannedDurationMs(constantProfile)).toBe(10_000);
    expect(plannedDurationMs(rampingProfile)).toBe(90_000);
  });
});
