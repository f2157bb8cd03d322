import { describe, expect, it } from "vitest";
import { failingStep, overrideVariable } from "../../../scripts/local/containers/images.ts";

describe("image build errors", () => {
  it("names the last step of a classic build", () => {
    const output = ["Step 1/3 : ARG BASE_IMAGE", "Step 2/3 : FROM ${BASE_IMAGE}", " ---> e02d05a7e0c4", "Step 3/3 : RUN apt-get install -y nope", "E: Unable to locate package nope"].join("\n");
    expect(failingStep(output)).toBe("step 3/3 (RUN apt-get install -y nope)");
  });

  it("names the last step of a BuildKit build", () => {
    const output = ["#5 [1/3] FROM docker.io/library/debian", "#6 [2/3] RUN true", "#7 [3/3] RUN exit 7", "#7 ERROR: process did not complete successfully"].join("\n");
    expect(failingStep(output)).toBe("step 3/3 (RUN exit 7)");
  });

  it("says so when no step is recognisable", () => {
    expect(failingStep("Cannot connect to the Docker daemon")).toBe("an unknown step");
  });

  it("derives one override variable per image", () => {
    expect(overrideVariable("demo-target")).toBe("BULWARK_IMAGE_DEMO_TARGET");
    expect(overrideVariable("postgres")).toBe("BULWARK_IMAGE_POSTGRES");
  });
});
