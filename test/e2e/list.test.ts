// `bulwark list` names everything a config defines, for every step kind: held against the shipped config
// and the experiment files themselves, and against a config that defines none of them. And every command
// `bulwark --help` names has help of its own with examples.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { runCli } from "../support/run-cli.ts";

interface Named {
  name: string;
  source?: string;
}

const shipped = JSON.parse(readFileSync(repoPath("bulwark.config.json"), "utf8")) as Record<string, any>;
const experimentFiles = readdirSync(repoPath(shipped.experimentsDir)).filter((file) => file.endsWith(".json"));
const names = (entries: Named[]) => entries.map((entry) => entry.name).sort();
const env = { BULWARK_CONFIG: "" };

describe("bulwark list", () => {
  it("--json lists the shipped config's experiments, alert checks and rules, scaling and rollout checks, drills", async () => {
    const { code, stdout, stderr } = await runCli(["list", "--json"], env);
    expect(code, stderr).toBe(0);
    const listing = JSON.parse(stdout);
    expect(names(listing.experiments)).toEqual(experimentFiles.map((file) => basename(file, ".json")).sort());
    expect(names(listing.alertChecks)).toEqual(Object.keys(shipped.alertChecks).sort());
    expect(names(listing.alertRules)).toEqual(Object.keys(shipped.alertRules).sort());
    expect(names(listing.scalingChecks)).toEqual(Object.keys(shipped.scalingChecks).sort());
    expect(names(listing.rolloutChecks)).toEqual(Object.keys(shipped.rolloutChecks).sort());
    expect(names(listing.drills)).toEqual(Object.keys(shipped.drills).sort());

    // What an entry says comes from its definition.
    const podKill = JSON.parse(readFileSync(repoPath(shipped.experimentsDir, "pod-kill-demo.json"), "utf8"));
    expect(listing.experiments.find((entry: Named) => entry.name === "pod-kill-demo")).toMatchObject({
      description: podKill.title,
      faults: podKill.method.faults.map((entry: { fault: { kind: string; action: string } }) => `${entry.fault.kind} ${entry.fault.action}`).join(", "),
      source: join(shipped.experimentsDir, "pod-kill-demo.json"),
    });
    const alert = shipped.alertChecks["alert-errors-demo"];
    expect(listing.alertChecks.find((entry: Named) => entry.name === "alert-errors-demo")).toEqual({
      name: "alert-errors-demo",
      description: alert.description,
      alert: alert.alert,
      trigger: `demo-fault errors ${alert.trigger.demoFault.errorRate * 100} %`,
      load: `${alert.load.scenario} (${alert.load.profile})`,
    });
    const hpa = shipped.scalingChecks["hpa-demo"];
    expect(listing.scalingChecks.find((entry: Named) => entry.name === "hpa-demo")).toMatchObject({ target: `${hpa.workload.namespace}/${hpa.workload.deployment} (hpa ${hpa.workload.hpa})` });
    expect(listing.rolloutChecks.map((entry: Named & { outcome: string }) => [entry.name, entry.outcome])).toEqual(
      Object.entries(shipped.rolloutChecks).map(([name, check]: [string, any]) => [name, check.expect.outcome ?? "completes"]),
    );
    expect(listing.alertRules[0].files).toEqual([...shipped.alertRules["demo-rules"].ruleFiles, ...shipped.alertRules["demo-rules"].ruleTests, ...shipped.alertRules["demo-rules"].alertmanagerConfigs]);

    // Every step of the release suite names an entry of the listing of its kind.
    const listOfStepKey: Record<string, string> = { chaos: "experiments", alert: "alertChecks", alertRules: "alertRules", scale: "scalingChecks", rollout: "rolloutChecks", drill: "drills", scenario: "scenarios" };
    for (const step of shipped.suites.release.steps as Record<string, string>[]) {
      const [key, value] = Object.entries(step)[0]!;
      expect(names(listing[listOfStepKey[key]!]), `release step ${key} ${value}`).toContain(value);
    }
  });

  it("shows a section per kind; a config without entries says how to add them", async () => {
    const shippedRun = await runCli(["list"], env);
    expect(shippedRun.code, shippedRun.stderr).toBe(0);
    const sections: [string, string][] = [
      ["Chaos experiments (bulwark chaos)", "pod-kill-demo"],
      ["Alert checks (bulwark alert)", "alert-errors-demo"],
      ["Alert rule checks (bulwark alert)", "demo-rules"],
      ["Scaling checks (bulwark scale)", "hpa-demo"],
      ["Rollout checks (bulwark rollout)", "bad-release-demo"],
      ["Drills (bulwark drill)", "postgres-pitr"],
    ];
    for (const [section, name] of sections) {
      expect(shippedRun.stdout + shippedRun.stderr).toMatch(new RegExp(`\\n${section.replace(/[()]/g, "\\$&")}:\\n(  .*\\n)*  ${name} `));
    }

    const dir = mkdtempSync(join(tmpdir(), "bulwark-list-"));
    const config = join(dir, "bulwark.config.json");
    writeFileSync(config, JSON.stringify({ endpoints: [{ name: "health", path: "/health" }], suites: {}, environments: { local: { demo: true } } }));
    const empty = await runCli(["list", "--config", config], env);
    expect(empty.code, empty.stderr).toBe(0);
    const output = empty.stdout + empty.stderr;
    // bulwark's example experiments are built in, like its scenarios.
    expect(output).toMatch(/Chaos experiments \(bulwark chaos\):\n(  .*\n)*  pod-kill-demo /);
    for (const key of ["alertChecks", "alertRules", "scalingChecks", "rolloutChecks", "drills"]) expect(output).toContain(`(none: add ${key} in the config)`);
    const json = JSON.parse((await runCli(["list", "--json", "--config", config], env)).stdout);
    expect([json.alertChecks, json.alertRules, json.scalingChecks, json.rolloutChecks, json.drills]).toEqual([[], [], [], [], []]);
    expect(json.experiments.map((entry: Named) => entry.source)).toEqual(json.experiments.map((entry: Named) => join("chaos", "experiments-examples", `${entry.name}.json`)));
    expect(new Set(json.experiments.map((entry: { origin: string }) => entry.origin))).toEqual(new Set(["built-in"]));
  });

  it("every command in bulwark --help has help of its own with usage and examples", async () => {
    const { code, stdout } = await runCli(["--help"]);
    expect(code).toBe(0);
    const commands = [...stdout.split("Commands:\n")[1]!.split("\n\n")[0]!.matchAll(/^ {2}([a-z]+) /gm)].map((match) => match[1]!);
    expect(commands).toEqual(expect.arrayContaining(["run", "gate", "list", "drill", "chaos", "alert", "scale", "rollout", "local", "deploy"]));
    const helps = await Promise.all(commands.map((command) => runCli([command, "--help"])));
    for (const [index, command] of commands.entries()) {
      const help = helps[index]!;
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(/^Usage: bulwark /m);
      expect(help.stdout, command).toMatch(/^Examples?:\n {2}(npx )?bulwark /m);
    }
  });
});
