// faultSchema: every kind and action the library declares is accepted; wrong entries are refused with
// the path of the field at fault, before anything reaches a cluster.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { faultProblems, faultSchema, faultSchemaWith, injectsWithoutDaemon, parseGoDuration } from "../../../chaos/faults/index.ts";
import { declaredActions, everyFault } from "../../support/chaos-faults.ts";

const problemsOf = (input: unknown) => faultProblems(input);

describe("fault entries", () => {
  it("cover every declared kind and action, and each parses", () => {
    expect(everyFault.map((fault) => `${fault.kind} ${fault.action}`).sort()).toEqual([...new Set(declaredActions)].sort());
    expect(declaredActions).toHaveLength(22);
    for (const fault of everyFault) expect(problemsOf(fault), `${fault.kind} ${fault.action}`).toEqual([]);
  });

  it.each([
    [{ kind: "KernelChaos", action: "x" }, "fault.kind: Invalid discriminator value. Expected 'PodChaos' | 'NetworkChaos' | 'StressChaos' | 'HTTPChaos' | 'IOChaos' | 'TimeChaos' | 'DNSChaos'"],
    [{ kind: "PodChaos", action: "pod-restart" }, "fault.action: Invalid discriminator value. Expected 'pod-kill' | 'pod-failure' | 'container-kill'"],
    [{ kind: "NetworkChaos", action: "netem" }, "fault.action: Invalid discriminator value"],
    [{ kind: "PodChaos", action: "container-kill" }, "fault.containerNames:"],
    [{ kind: "PodChaos", action: "container-kill", containerNames: [] }, "fault.containerNames: Too small"],
    [{ kind: "PodChaos", action: "pod-kill", gracePeriod: -1 }, "fault.gracePeriod:"],
    [{ kind: "PodChaos", action: "pod-failure", latency: "1s" }, 'fault: Unrecognized key: "latency"'],
    [{ kind: "NetworkChaos", action: "delay" }, "fault.latency:"],
    [{ kind: "NetworkChaos", action: "delay", latency: "100" }, 'fault.latency: expected a delay such as "100ms"'],
    [{ kind: "NetworkChaos", action: "delay", latency: "-5ms" }, "fault.latency:"],
    [{ kind: "NetworkChaos", action: "loss", loss: "120" }, "fault.loss: expected a percentage from 0 to 100"],
    [{ kind: "NetworkChaos", action: "loss", loss: "ten" }, "fault.loss: expected a percentage"],
    [{ kind: "NetworkChaos", action: "delay", latency: "10ms", direction: "both" }, 'fault.direction: direction "both" needs a target'],
    [{ kind: "NetworkChaos", action: "loss", loss: "5", direction: "from", externalTargets: ["1.2.3.4"] }, 'fault.direction: externalTargets cannot be used with direction "from"'],
    [{ kind: "NetworkChaos", action: "partition", target: { selector: { namespaces: [] }, mode: "one" } }, "fault.target.selector.namespaces: name at least one namespace explicitly"],
    [{ kind: "NetworkChaos", action: "partition", target: { selector: { namespaces: ["b"] }, mode: "fixed" } }, 'fault.target.value: mode "fixed" needs a value'],
    [{ kind: "NetworkChaos", action: "bandwidth", rate: "fast", limit: 1, buffer: 1 }, 'fault.rate: expected a rate such as "1mbps"'],
    [{ kind: "NetworkChaos", action: "bandwidth", rate: "1mbps", limit: 0, buffer: 1 }, "fault.limit:"],
    [{ kind: "StressChaos", action: "cpu", workers: 0 }, "fault.workers:"],
    [{ kind: "StressChaos", action: "cpu", workers: 1, load: 101 }, "fault.load:"],
    [{ kind: "StressChaos", action: "memory", workers: 1, size: "lots" }, 'fault.size: expected a size such as "256MB"'],
    [{ kind: "HTTPChaos", action: "abort", target: "Request" }, "fault.port:"],
    [{ kind: "HTTPChaos", action: "abort", target: "Both", port: 80 }, "fault.target:"],
    [{ kind: "HTTPChaos", action: "abort", target: "Request", port: 80, method: "FETCH" }, "fault.method:"],
    [{ kind: "HTTPChaos", action: "delay", target: "Request", port: 80, delay: "soon" }, "fault.delay: expected a Go duration"],
    [{ kind: "HTTPChaos", action: "replace", target: "Response", port: 80, replace: {} }, "fault.replace: replace at least one of"],
    [{ kind: "IOChaos", action: "latency", delay: "1s" }, "fault.volumePath:"],
    [{ kind: "IOChaos", action: "fault", volumePath: "/data", errno: 0 }, "fault.errno:"],
    [{ kind: "IOChaos", action: "latency", volumePath: "/data", delay: "1s", methods: ["peek"] }, "fault.methods.0:"],
    [{ kind: "IOChaos", action: "mistake", volumePath: "/d", mistake: { filling: "ones", maxOccurrences: 1, maxLength: 1 } }, "fault.mistake.filling:"],
    [{ kind: "TimeChaos", action: "offset", timeOffset: "5 minutes" }, "fault.timeOffset: expected a Go duration"],
    [{ kind: "TimeChaos", action: "offset", timeOffset: "1s", clockIds: ["CLOCK_WALL"] }, "fault.clockIds.0:"],
    [{ kind: "DNSChaos", action: "error", patterns: ["chaos-*.org"] }, "fault.patterns.0: expected a domain name pattern"],
  ])("refuses %j naming the field", (input, expected) => {
    const problems = problemsOf(input);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join("\n")).toContain(expected);
  });

  it("adds an experiment's own fields to every entry with faultSchemaWith", () => {
    const entry = faultSchemaWith({ mode: z.enum(["one", "all"]), duration: z.string() });
    expect(entry.parse({ kind: "PodChaos", action: "pod-kill", mode: "one", duration: "30s" })).toEqual({ kind: "PodChaos", action: "pod-kill", mode: "one", duration: "30s" });
    expect(entry.safeParse({ kind: "TimeChaos", action: "offset", timeOffset: "1m", mode: "one" }).error?.issues.map((issue) => issue.path.join("."))).toEqual(["duration"]);
    // the NetworkChaos direction rule still applies
    expect(entry.safeParse({ kind: "NetworkChaos", action: "loss", loss: "1", direction: "both", mode: "one", duration: "1s" }).error?.issues[0]?.path).toEqual(["direction"]);
    // the plain schema knows nothing of them
    expect(faultSchema.safeParse({ kind: "PodChaos", action: "pod-kill", mode: "one" }).success).toBe(false);
  });

  it("says which faults inject without chaos-daemon (locally real)", () => {
    expect(everyFault.filter(injectsWithoutDaemon).map((fault) => fault.action)).toEqual(["pod-kill", "pod-failure"]);
  });
});

describe("Go durations", () => {
  it.each([
    ["30s", 30_000],
    ["1m30s", 90_000],
    ["1.5h", 5_400_000],
    ["300ms", 300],
    ["-5m", -300_000],
    ["0", 0],
    ["250us", 0.25],
  ])("%s is %d ms", (text, ms) => expect(parseGoDuration(text)).toBeCloseTo(ms, 9));

  it.each(["", "30", "30 s", "s", "1d", "5m-", "30seconds"])("%j is not one", (text) => expect(parseGoDuration(text)).toBeUndefined());
});
