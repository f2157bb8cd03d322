// buildChaosObject: every manifest carries bulwark's labels, explicit namespaces and a duration, maps
// each fault's parameters to the CRD's fields, and refuses bad options naming them.
import { describe, expect, it } from "vitest";
import { buildChaosObject, chaosObjectName, managedByLabel, type ChaosObjectOptions } from "../../../chaos/faults/index.ts";
import { ExitCode, UsageError } from "../../../scripts/core/errors.ts";
import { everyFault } from "../../support/chaos-faults.ts";

const options: ChaosObjectOptions = { name: "kill-one", namespace: "shop", selector: { namespaces: ["shop"], labelSelectors: { app: "web" } }, mode: "fixed-percent", value: 50, duration: "30s", runId: "20260101-120000-ab12", experiment: "pod-kill-demo" };

function refusal(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error("expected a refusal");
}

describe("chaos manifests", () => {
  it("carry the labels, the explicit namespaces, mode, value and duration for every kind and action", () => {
    for (const fault of everyFault) {
      const object = buildChaosObject(fault, { ...options, labels: { team: "sre", "app.kubernetes.io/managed-by": "someone-else" } });
      expect(object.apiVersion).toBe("chaos-mesh.org/v1alpha1");
      expect(object.kind).toBe(fault.kind);
      expect(object.metadata).toEqual({
        name: "kill-one",
        namespace: "shop",
        labels: { team: "sre", ...managedByLabel, "bulwark.dev/run-id": "20260101-120000-ab12", "bulwark.dev/experiment": "pod-kill-demo" },
      });
      expect(object.spec).toMatchObject({ selector: { namespaces: ["shop"], labelSelectors: { app: "web" } }, mode: "fixed-percent", value: "50", duration: "30s" });
    }
  });

  it("maps parameters to the CRD's fields", () => {
    const spec = (index: number) => buildChaosObject(everyFault[index]!, { ...options, mode: "one", value: undefined }).spec;
    const find = (kind: string, action: string) => everyFault.findIndex((fault) => fault.kind === kind && fault.action === action);
    expect(spec(find("PodChaos", "pod-kill"))).toEqual({ selector: options.selector, mode: "one", duration: "30s", action: "pod-kill", gracePeriod: 0 });
    expect(spec(find("NetworkChaos", "delay"))).toMatchObject({ action: "delay", delay: { latency: "100ms", jitter: "10ms", correlation: "25" } });
    expect(spec(find("NetworkChaos", "loss"))).toMatchObject({ action: "loss", loss: { loss: "20", correlation: "10" } });
    expect(spec(find("NetworkChaos", "bandwidth"))).toMatchObject({ action: "bandwidth", bandwidth: { rate: "1mbps", limit: 20971520, buffer: 10000 } });
    expect(spec(find("NetworkChaos", "partition"))).toMatchObject({ action: "partition", direction: "both", externalTargets: ["203.0.113.10"] });
    expect(spec(find("StressChaos", "cpu"))).toMatchObject({ stressors: { cpu: { workers: 1, load: 50 } } });
    expect(spec(find("StressChaos", "memory"))).toMatchObject({ stressors: { memory: { workers: 1, size: "64MB" } } });
    expect(spec(find("HTTPChaos", "abort"))).toMatchObject({ target: "Request", port: 8080, path: "/api/*", method: "GET", abort: true });
    expect(spec(find("HTTPChaos", "replace"))).toMatchObject({ replace: { code: 503, body: Buffer.from('{"error":"chaos"}').toString("base64") } });
    expect(spec(find("IOChaos", "fault"))).toMatchObject({ action: "fault", volumePath: "/data", errno: 5, methods: ["read", "write"] });
    expect(spec(find("TimeChaos", "offset"))).toMatchObject({ timeOffset: "-5m", clockIds: ["CLOCK_REALTIME"] });
    expect(spec(find("DNSChaos", "error"))).toMatchObject({ action: "error", patterns: ["example.com", "api.*"] });
    // no action field where the CRD has none
    expect(spec(find("StressChaos", "cpu"))).not.toHaveProperty("action");
    expect(spec(find("HTTPChaos", "delay"))).not.toHaveProperty("action");
    expect(spec(find("TimeChaos", "offset"))).not.toHaveProperty("action");
    // a NetworkChaos target's namespaces and value go through as Chaos Mesh wants them
    const partition = buildChaosObject({ kind: "NetworkChaos", action: "partition", direction: "both", target: { selector: { namespaces: ["db"], labelSelectors: { app: "pg" } }, mode: "fixed", value: 2 } }, options);
    expect(partition.spec.target).toEqual({ selector: { namespaces: ["db"], labelSelectors: { app: "pg" } }, mode: "fixed", value: "2" });
  });

  it.each<[string, Partial<ChaosObjectOptions>, string]>([
    ["no namespaces", { selector: { namespaces: [] } }, "selector.namespaces: name at least one namespace explicitly"],
    ["no duration", { duration: "" }, 'duration: "" is not a positive duration'],
    ["a zero duration", { duration: "0s" }, "duration:"],
    ["a negative duration", { duration: "-30s" }, "duration:"],
    ["a bad duration", { duration: "30 seconds" }, "duration:"],
    ["fixed without value", { mode: "fixed", value: undefined }, 'value: mode "fixed" needs a value'],
    ["fixed 0", { mode: "fixed", value: 0 }, "value: value must be greater than 0"],
    ["percent 0", { mode: "fixed-percent", value: 0 }, "value: value must be in (0, 100]"],
    ["percent 101", { mode: "random-max-percent", value: 101 }, "value: value must be in (0, 100]"],
    ["percent 12.5", { mode: "fixed-percent", value: 12.5 }, "value: value must be a whole number"],
    ["a value with mode one", { mode: "one", value: 1 }, 'value: value is not used with mode "one"'],
    ["a bad name", { name: "Kill_One" }, 'name: "Kill_One" is not a DNS label'],
    ["a bad run id", { runId: "run id with spaces" }, "runId:"],
    ["a long experiment", { experiment: "e".repeat(64) }, "experiment:"],
  ])("refuses %s naming the field (exit 2)", (_, change, expected) => {
    const error = refusal(() => buildChaosObject({ kind: "PodChaos", action: "pod-kill" }, { ...options, ...change }));
    expect(error.code).toBe(ExitCode.badInput);
    expect(error.message).toContain(expected);
    expect(error.message.split("\n")).toHaveLength(1);
  });

  it("accepts the boundaries: fixed 1, percent 100, one without value", () => {
    for (const change of [{ mode: "fixed", value: 1 }, { mode: "fixed-percent", value: 100 }, { mode: "random-max-percent", value: 1 }, { mode: "one", value: undefined }, { mode: "all", value: undefined }] as const) {
      expect(buildChaosObject({ kind: "PodChaos", action: "pod-kill" }, { ...options, ...change }).spec.mode).toBe(change.mode);
    }
  });

  it("refuses a fault entry bulwark's schema refuses, before building", () => {
    expect(refusal(() => buildChaosObject({ kind: "NetworkChaos", action: "delay" } as never, options)).message).toContain("fault.latency:");
  });

  it("names objects validly and distinctly", () => {
    const name = chaosObjectName("Pod Kill Demo", 0, "20260101T120000-AB12");
    expect(name).toBe("pod-kill-demo-1-20260101t120000-ab12");
    expect(chaosObjectName("x".repeat(80), 1, "r".repeat(80))).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    expect(chaosObjectName("demo", 0, "run")).not.toBe(chaosObjectName("demo", 1, "run"));
  });
});
