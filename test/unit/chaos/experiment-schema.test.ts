// Experiments as data: the shipped examples parse, each mistake is named by its field, and the catalogue
// reads the project's experimentsDir next to inline experiments.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isBuiltIn, knownExperimentsText, loadCatalog } from "../../../chaos/experiments/catalog.ts";
import { experimentSchema, minimumLoadMs } from "../../../chaos/experiments/schema.ts";
import { formatIssue } from "../../../thresholds/load-config.ts";
import { repoPath } from "../../../scripts/core/repo-root.ts";
import { useProjectConfig } from "../../../scripts/core/project-root.ts";

const examples = repoPath("chaos", "experiments-examples");
const shipped = (name: string) => JSON.parse(readFileSync(join(examples, `${name}.json`), "utf8")) as Record<string, any>;
const problems = (raw: unknown) => {
  const parsed = experimentSchema.safeParse(raw, { reportInput: true });
  return parsed.success ? [] : parsed.error.issues.map((issue) => formatIssue(issue));
};

describe("experiment schema", () => {
  it("parses every shipped experiment, with defaults filled in", () => {
    const names = readdirSync(examples).map((file) => file.replace(/\.json$/, "")).sort();
    expect(names).toEqual(["demo-latency", "network-delay-demo", "pod-failure-demo", "pod-kill-demo"]);
    for (const name of names) expect(problems(shipped(name)), name).toEqual([]);
    const kill = experimentSchema.parse(shipped("pod-kill-demo"));
    expect(kill.method.faults[0]).toMatchObject({ name: "kill-one-pod", mode: "one", fault: { kind: "PodChaos", action: "pod-kill" } });
    expect(kill.safety).toEqual({ maxErrorRate: 0.5, window: "3s", minRequests: 10 });
    expect(kill.hypothesis.probes[0]).toMatchObject({ during: "must-hold", timeoutMs: 2000 });
    expect(minimumLoadMs(kill)).toBe(4000 + 6000 + 4000);
  });

  it("needs exactly one of fault and demoFault, and a mode value Chaos Mesh accepts", () => {
    const base = shipped("pod-kill-demo");
    const withFaults = (faults: unknown[]) => ({ ...base, method: { ...base.method, faults } });
    expect(problems(withFaults([{ name: "x", duration: "5s" }]))).toEqual(["method.faults.0: must have exactly one of fault and demoFault"]);
    expect(problems(withFaults([{ name: "x", duration: "5s", fault: { kind: "PodChaos", action: "pod-kill" }, demoFault: { latencyMs: 1 } }]))).toEqual(["method.faults.0: must have exactly one of fault and demoFault"]);
    expect(problems(withFaults([{ name: "x", duration: "5s", fault: { kind: "PodChaos", action: "pod-kill" }, mode: "fixed" }]))).toEqual(['method.faults.0.value: mode "fixed" needs a value']);
    expect(problems(withFaults([{ name: "x", duration: "5s", demoFault: {} }]))[0]).toContain("method.faults.0.demoFault: must set latencyMs or errorRate");
    expect(problems(withFaults([{ name: "x", duration: "5s", fault: { kind: "PodChaos", action: "pod-explode" } }]))[0]).toMatch(/^method\.faults\.0\.fault\.action: /);
  });

  it("names duplicate faults and probes, unknown expectation phases and a deployment probe without a deployment", () => {
    const base = shipped("pod-kill-demo");
    const fault = base.method.faults[0];
    expect(problems({ ...base, method: { ...base.method, faults: [fault, fault] } })).toEqual(["method.faults.1.name: duplicate fault name 'kill-one-pod'"]);
    const probe = base.hypothesis.probes[0];
    expect(problems({ ...base, hypothesis: { probes: [probe, probe] } })).toEqual(["hypothesis.probes.1.name: duplicate probe name 'api-answers'"]);
    expect(problems({ ...base, expectations: { phases: [{ phase: "during", latencyP95Ms: 1 }] } })[0]).toBe(
      "expectations.phases.0.phase: unknown phase 'during' (known: before, fault, recovery, after, fault:kill-one-pod)",
    );
    expect(problems({ ...base, target: { namespace: "bulwark-demo", selector: { app: "x" } } })).toEqual(["hypothesis.probes.1.deployment: deployment-available needs a deployment (here or in target.deployment)"]);
    expect(problems({ ...base, target: { namespace: "bulwark-demo", selector: {}, deployment: "x" } })[0]).toContain("target.selector: must name at least one label");
  });
});

describe("experiment catalogue", () => {
  const folders: string[] = [];
  afterEach(() => folders.splice(0));

  function project(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), "bulwark-catalog-"));
    folders.push(dir);
    mkdirSync(join(dir, "experiments"));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, "experiments", name), text);
    writeFileSync(join(dir, "bulwark.config.json"), "{}");
    useProjectConfig(join(dir, "bulwark.config.json"));
    return dir;
  }

  it("reads <name>.json files of experimentsDir beside inline experiments, and names what is wrong in a file", () => {
    const good = JSON.stringify(shipped("pod-failure-demo"));
    project({ "from-file.json": good, "Bad Name.json": good, "broken.json": "{", "invalid.json": JSON.stringify({ title: "x" }), "inline.json": good, "notes.txt": "ignored" });
    const catalog = loadCatalog({ experimentsDir: "experiments", experiments: { inline: experimentSchema.parse(shipped("pod-kill-demo")) } });
    expect([...catalog.entries.values()].filter((entry) => !isBuiltIn(entry)).map((entry) => entry.name).sort()).toEqual(["from-file", "inline"]);
    expect(catalog.entries.get("from-file")?.source).toBe(join("experiments", "from-file.json"));
    expect(catalog.entries.get("inline")?.source).toBe("config");
    expect(catalog.errors).toEqual([
      expect.stringMatching(/^experiments\/Bad Name\.json: the file name is the experiment's name and must be lower-case/),
      expect.stringMatching(/^experiments\/broken\.json: not valid JSON: /),
      "experiments/inline.json: experiment 'inline' is also defined under experiments in the config",
      expect.stringMatching(/^experiments\/invalid\.json: target: /),
      expect.stringMatching(/^experiments\/invalid\.json: load: /),
      expect.stringMatching(/^experiments\/invalid\.json: hypothesis: /),
      expect.stringMatching(/^experiments\/invalid\.json: method: /),
    ]);
  });

  it("an experimentsDir that does not exist holds no experiments; the built-in examples are always there", () => {
    project({});
    const catalog = loadCatalog({ experimentsDir: "nowhere", experiments: {} });
    expect(catalog.errors).toEqual([]);
    expect([...catalog.entries.values()].every(isBuiltIn)).toBe(true);
    expect([...catalog.entries.keys()]).toContain("pod-kill-demo");
  });

  it("a project experiment of a built-in's name replaces it", () => {
    project({ "pod-kill-demo.json": JSON.stringify(shipped("pod-failure-demo")) });
    const entry = loadCatalog({ experimentsDir: "experiments", experiments: {} }).entries.get("pod-kill-demo");
    expect(entry?.source).toBe(join("experiments", "pod-kill-demo.json"));
    expect(entry?.experiment.title).toBe(shipped("pod-failure-demo").title);
    // The project's come first, then the built-ins it did not replace; hints name the two groups apart.
    const catalog = loadCatalog({ experimentsDir: "experiments", experiments: {} });
    expect([...catalog.entries.keys()]).toEqual(["pod-kill-demo", "demo-latency", "network-delay-demo", "pod-failure-demo"]);
    expect(knownExperimentsText(catalog)).toBe("pod-kill-demo; built-in: demo-latency, network-delay-demo, pod-failure-demo");
    project({});
    expect(knownExperimentsText(loadCatalog({ experimentsDir: "nowhere", experiments: {} }))).toBe(
      "none in the project: add experiments to the config or experimentsDir; built-in: demo-latency, network-delay-demo, pod-failure-demo, pod-kill-demo",
    );
  });
});
