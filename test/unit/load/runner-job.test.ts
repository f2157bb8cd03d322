import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UsageError } from "../../../scripts/core/errors.ts";
import { checkRunnerJob, parseRunnersOn } from "../../../scripts/kinds/load/kind.ts";
import { parseRunnerLog, resultMarker, runnerConfigMap, runnerJob, runnerJobName, runnerJobSchema, runnerScript, type RunnerJobInput } from "../../../scripts/kinds/load/runner-job.ts";
import type { RunContext } from "../../../scripts/kinds/step-kind.ts";
import { environmentSchema } from "../../../thresholds/schema.ts";

const input = (overrides: Partial<RunnerJobInput> = {}): RunnerJobInput => ({
  settings: runnerJobSchema.parse({ namespace: "perf", image: "bulwark/runner:abc", imagePullPolicy: "Never", nodeSelector: { pool: "load" }, tolerations: [{ key: "load", operator: "Exists", effect: "NoSchedule" }], startDelay: "5s" }),
  runId: "20261201T061322Z-run-browse-catalog-65df",
  stepName: "browse-catalog",
  runners: 3,
  sequence: "0,1/3,2/3,1",
  startAt: "2026-12-01T06:13:26.880Z",
  plannedMs: 60_000,
  bundle: "module.exports = {};",
  plan: "{}",
  ...overrides,
});

type Job = { metadata: { name: string; namespace: string }; spec: Record<string, any> };

describe("the runner Job", () => {
  it("is an Indexed Job of N pods that never retries, bounded in time, with the shared start and sequence", () => {
    const job = runnerJob(input()) as unknown as Job;
    expect(job.metadata).toMatchObject({ name: runnerJobName(input().runId, "browse-catalog"), namespace: "perf" });
    expect(job.spec).toMatchObject({ completionMode: "Indexed", completions: 3, parallelism: 3, backoffLimit: 0, activeDeadlineSeconds: 5 + 60 + 65 });
    const pod = job.spec.template.spec;
    expect(pod).toMatchObject({ restartPolicy: "Never", hostNetwork: true, dnsPolicy: "ClusterFirstWithHostNet", nodeSelector: { pool: "load" }, tolerations: [{ key: "load", operator: "Exists", effect: "NoSchedule" }] });
    const container = pod.containers[0];
    expect(container).toMatchObject({ image: "bulwark/runner:abc", imagePullPolicy: "Never", command: ["/bin/sh", "-c", runnerScript] });
    expect(container.env).toEqual([
      { name: "BULWARK_RUNNERS", value: "3" },
      { name: "BULWARK_SEGMENT_SEQUENCE", value: "0,1/3,2/3,1" },
      { name: "BULWARK_START_AT", value: "2026-12-01T06:13:26.880Z" },
      { name: "BULWARK_PLAN", value: "/etc/bulwark-runner/plan.json" },
    ]);
    // The ConfigMap the pods mount is the one bulwark creates with the bundle and the plan.
    const configMap = runnerConfigMap(input()) as { metadata: { name: string }; data: Record<string, string> };
    expect(pod.volumes[0].configMap.name).toBe(configMap.metadata.name);
    expect(Object.keys(configMap.data).sort()).toEqual(["plan.json", "scenario.js"]);
  });

  it("is named per run and step, as a Kubernetes name", () => {
    const name = runnerJobName("run-1", "a");
    expect(name).toMatch(/^bulwark-load-[0-9a-f]{10}$/);
    expect(runnerJobName("run-1", "a")).toBe(name);
    expect(runnerJobName("run-1", "b")).not.toBe(name);
    expect(runnerJobName("run-2", "a")).not.toBe(name);
  });

  it("leaves the node's network to the cluster when hostNetwork is off", () => {
    const pod = (runnerJob(input({ settings: runnerJobSchema.parse({ hostNetwork: false }) })) as unknown as Job).spec.template.spec;
    expect(pod.hostNetwork).toBe(false);
    expect(pod.dnsPolicy).toBeUndefined();
    expect(pod.nodeSelector).toBeUndefined();
  });

  it("gives each runner container the resources asked for, any of cpu and memory", () => {
    const settings = runnerJobSchema.parse({ resources: { requests: { cpu: "500m" }, limits: { memory: "512Mi" } } });
    const container = (runnerJob(input({ settings })) as unknown as Job).spec.template.spec.containers[0];
    expect(container.resources).toEqual({ requests: { cpu: "500m" }, limits: { memory: "512Mi" } });
    expect(runnerJobSchema.safeParse({ resources: { requests: { gpu: "1" } } }).success).toBe(false);
  });

  it("refuses a namespace that is not a Kubernetes name and keys it does not know", () => {
    expect(runnerJobSchema.safeParse({ namespace: "Perf_Team" }).error?.issues[0]).toMatchObject({ path: ["namespace"] });
    expect(runnerJobSchema.safeParse({ replicas: 2 }).success).toBe(false);
    expect(runnerJobSchema.safeParse({ startDelay: "soon" }).success).toBe(false);
  });
});

describe("a runner pod's log", () => {
  const engineLines = ['{"level":"info","msg":"waiting for the start barrier"}', "bulwark-engine: test ran 6.0s"];

  it("carries the pod's result as its marked line; the rest is the engine's log", () => {
    const log = [...engineLines, `${resultMarker}{"index":1,"engineExitCode":10,"summary":{"metrics":{}}}`, ""].join("\n");
    expect(parseRunnerLog(log)).toEqual({ engineLog: [...engineLines, ""].join("\n"), result: { index: 1, engineExitCode: 10, summary: { metrics: {} } } });
  });

  it("has no result when the pod printed none or a broken one", () => {
    expect(parseRunnerLog(engineLines.join("\n")).result).toBeNull();
    expect(parseRunnerLog(`${resultMarker}{"index":1,"engineExit`).result).toBeNull();
  });
});

describe("the runner pod's script", () => {
  const folder = mkdtempSync(join(tmpdir(), "bulwark-runner-script-"));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  // Stands in for the engine: records its arguments, writes a summary over two lines, exits with FAKE_CODE.
  writeFileSync(
    join(folder, "bulwark-engine"),
    `#!/bin/sh
printf '%s\\n' "$*" > "$TMPDIR/args"
while [ $# -gt 0 ]; do if [ "$1" = "--summary-json" ]; then [ -n "\${FAKE_SUMMARY:-}" ] && printf '{"metrics":\\n{"x":1}}\\n' > "$2"; fi; shift; done
echo '{"level":"info","msg":"engine ran"}'
exit "$FAKE_CODE"
`,
  );
  chmodSync(join(folder, "bulwark-engine"), 0o755);
  const runScript = (index: number, code: number, summary: boolean) => {
    const tmp = mkdtempSync(join(folder, "tmp-"));
    const result = spawnSync("sh", ["-c", runnerScript], {
      env: { PATH: `${folder}:${process.env.PATH}`, TMPDIR: tmp, JOB_COMPLETION_INDEX: String(index), BULWARK_RUNNERS: "2", BULWARK_SEGMENT_SEQUENCE: "0,1/2,1", BULWARK_START_AT: "2026-12-01T00:00:00Z", FAKE_CODE: String(code), ...(summary ? { FAKE_SUMMARY: "1" } : {}) },
      encoding: "utf8",
    });
    return { status: result.status, stdout: result.stdout, args: spawnSync("cat", [join(tmp, "args")], { encoding: "utf8" }).stdout.trim() };
  };

  it("runs its completion index's segment from the shared start and prints the summary as one result line", () => {
    const { status, stdout, args } = runScript(1, 10, true);
    expect(args).toContain("--execution-segment 1/2:2/2 --execution-segment-sequence 0,1/2,1 --start-at 2026-12-01T00:00:00Z --runner-id 1");
    // A runner's threshold verdict is only its slice's: the pod succeeds, the code travels in the result.
    expect(status).toBe(0);
    expect(parseRunnerLog(stdout).result).toEqual({ index: 1, engineExitCode: 10, summary: { metrics: { x: 1 } } });
  });

  it("fails the pod with the engine's code when the engine did not judge, and says so without a summary", () => {
    const { status, stdout, args } = runScript(0, 20, false);
    expect(args).toContain("--execution-segment 0/2:1/2");
    expect(status).toBe(20);
    expect(parseRunnerLog(stdout).result).toEqual({ index: 0, engineExitCode: 20, summary: null });
  });
});

describe("where a step's runners run", () => {
  const context = (environment: Record<string, unknown>, targetOverride?: string) =>
    ({ environmentName: "staging", environment: environmentSchema.parse(environment), ...(targetOverride ? { targetOverride } : {}) }) as unknown as RunContext;

  it("--runners-on is local or kubernetes", () => {
    expect(parseRunnersOn(undefined, "--runners-on")).toBe("local");
    expect(parseRunnersOn("kubernetes", "--runners-on")).toBe("kubernetes");
    expect(() => parseRunnersOn("cloud", "--runners-on")).toThrow("--runners-on: 'cloud' is neither 'local' nor 'kubernetes'");
  });

  it("runner pods need the environment's cluster, a target they can reach and no credentials", () => {
    expect(() => checkRunnerJob(context({ baseUrl: "http://127.0.0.1:8080" }))).toThrow(new UsageError("environments.staging.kubernetes: required for runnersOn: kubernetes (the cluster the runner pods run in)"));
    expect(() => checkRunnerJob(context({ demo: true, kubernetes: { local: true } }))).toThrow(/^environments\.staging\.demo: runnersOn: kubernetes cannot load the embedded demo target/);
    expect(() => checkRunnerJob(context({ kubernetes: { local: true } }, "http://user:secret@127.0.0.1:8080"))).toThrow(/does not carry credentials to the runner pods yet/);
    expect(() => checkRunnerJob(context({ baseUrl: "http://127.0.0.1:8080", kubernetes: { local: true } }))).not.toThrow();
    expect(() => checkRunnerJob(context({ demo: true, kubernetes: { local: true } }, "http://127.0.0.1:8080"))).not.toThrow();
  });
});
