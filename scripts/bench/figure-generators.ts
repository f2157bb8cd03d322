import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateConfig } from "../../scripts/registry/config.ts";
import { startDemoTarget, type RunningDemoTarget } from "../demo-target/launch.ts";
import { noFaults } from "../demo-target/faults.ts";
import type { EngineBinary } from "../kinds/load/engine-binary.ts";
import { scenarioEnvironment } from "../kinds/load/run-step.ts";
import { say } from "../core/output.ts";
import { repoPath } from "../core/repo-root.ts";
import { buildRunPlan } from "../kinds/load/plan.ts";
import { engineSample, runEngineScript, type BenchBundles } from "./engine-scripts.ts";
import type { RusageTool } from "./process.ts";
import type { BenchSettings } from "./settings.ts";
import { cpuPerRequestUs, median, ratio, type GeneratorSample } from "./stats.ts";
import { runVegeta, type Vegeta } from "./vegeta.ts";
import { runWrk } from "./wrk.ts";

export interface Tools {
  engine: EngineBinary;
  rusage: RusageTool;
  bundles: BenchBundles;
  vegeta: Vegeta | null;
  wrk: string | null;
}

const endpoint = "/api/items";

/** Runs the steps of one trial in an order that rotates with the trial, so no side always goes first. */
async function rotated(trial: number, steps: readonly (() => Promise<void>)[]): Promise<void> {
  for (let i = 0; i < steps.length; i += 1) await steps[(trial + i) % steps.length]!();
}

/** A demo target warmed with a few seconds of load, so that the first measured run does not pay its JIT. */
async function warmDemoTarget(tools: Tools, vus: number): Promise<RunningDemoTarget> {
  const demo = await startDemoTarget(noFaults);
  if (tools.vegeta) await runVegeta(tools.vegeta, tools.rusage, demo.baseUrl + endpoint, vus, 2).catch(() => undefined);
  return demo;
}

export interface OneGet {
  vus: number;
  seconds: number;
  endpoint: string;
  engine: GeneratorSample[];
  vegeta: GeneratorSample[];
  wrk: GeneratorSample[];
  engineRate: number | null;
  vegetaRate: number | null;
  wrkRate: number | null;
  /** (1): engine requests/s / vegeta requests/s (goal >= 0.8). */
  throughputRatio: number | null;
  engineCpuPerRequestUs: number | null;
  vegetaCpuPerRequestUs: number | null;
  wrkCpuPerRequestUs: number | null;
  /** (1): engine CPU per request / vegeta CPU per request (goal <= 1.3). */
  cpuRatio: number | null;
  /** engine requests/s / wrk requests/s (context). */
  wrkRatio: number | null;
}

/**
 * (1) One GET on one demo target at full speed with N connections: the plain engine script
 * (constant-vus, N VUs), vegeta (-rate=0, N workers) and wrk (-t2 -cN), alternating.
 */
export async function measureOneGet(tools: Tools, settings: BenchSettings): Promise<OneGet> {
  const { flatOutVus: vus, flatOutSeconds: seconds, trials } = settings;
  const { vegeta } = tools;
  if (!vegeta) throw new Error("vegeta is not available");
  const engine: GeneratorSample[] = [];
  const vegetaSamples: GeneratorSample[] = [];
  const wrkSamples: GeneratorSample[] = [];
  const demo = await warmDemoTarget(tools, vus);
  try {
    const url = demo.baseUrl + endpoint;
    const vars = { BASE_URL: demo.baseUrl, VUS: String(vus), DURATION: `${seconds}s` };
    const steps = [
      async () => engine.push(engineSample(await runEngineScript(tools.engine, tools.rusage, tools.bundles.path("one-get"), vars, (seconds + 60) * 1000))),
      async () => vegetaSamples.push(await runVegeta(vegeta, tools.rusage, url, vus, seconds)),
      ...(tools.wrk ? [async () => wrkSamples.push(await runWrk(tools.wrk!, tools.rusage, url, vus, 2, seconds))] : []),
    ].map((step) => async () => void (await step()));
    for (let trial = 0; trial < trials; trial += 1) {
      say(`bench: (1) trial ${trial + 1}/${trials}: engine, vegeta${tools.wrk ? ", wrk" : ""} at full speed on GET ${endpoint}, ${vus} connections, ${seconds}s`);
      await rotated(trial, steps);
    }
  } finally {
    await demo.stop();
  }
  const engineRate = median(engine.map((s) => s.ratePerSecond));
  const vegetaRate = median(vegetaSamples.map((s) => s.ratePerSecond));
  const wrkRate = median(wrkSamples.map((s) => s.ratePerSecond));
  const engineCpu = cpuPerRequestUs(engine);
  const vegetaCpu = cpuPerRequestUs(vegetaSamples);
  return {
    vus,
    seconds,
    endpoint,
    engine,
    vegeta: vegetaSamples,
    wrk: wrkSamples,
    engineRate,
    vegetaRate,
    wrkRate,
    throughputRatio: ratio(engineRate, vegetaRate),
    engineCpuPerRequestUs: engineCpu,
    vegetaCpuPerRequestUs: vegetaCpu,
    wrkCpuPerRequestUs: cpuPerRequestUs(wrkSamples),
    cpuRatio: ratio(engineCpu, vegetaCpu),
    wrkRatio: ratio(engineRate, wrkRate),
  };
}

export interface BrowseCatalog {
  vus: number;
  seconds: number;
  engine: GeneratorSample[];
  vegeta: GeneratorSample[];
  engineRate: number | null;
  vegetaRate: number | null;
  /** (2): requests/s of the suite's browse-catalog on the engine / vegeta's on the list endpoint (goal >= 0.5). */
  rateRatio: number | null;
  engineCpuPerRequestUs: number | null;
  vegetaCpuPerRequestUs: number | null;
}

/** The run plan bulwark writes for `browse-catalog --profile load` on the local environment, against `baseUrl`. */
async function writePlan(dir: string, baseUrl: string): Promise<string> {
  const validated = validateConfig(JSON.parse(await readFile(repoPath("bulwark.config.json"), "utf8")));
  if ("errors" in validated) throw new Error(`bulwark.config.json: ${validated.errors.join("; ")}`);
  const plan = buildRunPlan({ config: validated.config, environmentName: "local", scenario: "browse-catalog", profileName: "load", baseUrl, runId: "bench" });
  const path = join(dir, "browse-catalog.plan.json");
  await writeFile(path, JSON.stringify(plan, null, 2));
  return path;
}

/**
 * (2) bulwark's browse-catalog scenario, bundled as bulwark bundles it and reading its plan as under
 * `bulwark run`, at full speed (constant-vus, N VUs) on the engine, against vegeta with N workers on the
 * list endpoint, alternating, on one demo target.
 */
export async function measureBrowseCatalog(tools: Tools, settings: BenchSettings): Promise<BrowseCatalog> {
  const { flatOutVus: vus, flatOutSeconds: seconds, trials } = settings;
  const { vegeta } = tools;
  if (!vegeta) throw new Error("vegeta is not available");
  const engine: GeneratorSample[] = [];
  const vegetaSamples: GeneratorSample[] = [];
  const dir = await mkdtemp(join(tmpdir(), "bulwark-bench-plan-"));
  const demo = await warmDemoTarget(tools, vus);
  try {
    const env = scenarioEnvironment(await writePlan(dir, demo.baseUrl), undefined);
    const vars = { VUS: String(vus), DURATION: `${seconds}s` };
    const steps = [
      async () => void engine.push(engineSample(await runEngineScript(tools.engine, tools.rusage, tools.bundles.path("browse-catalog-max"), vars, (seconds + 60) * 1000, env))),
      async () => void vegetaSamples.push(await runVegeta(vegeta, tools.rusage, demo.baseUrl + endpoint, vus, seconds)),
    ];
    for (let trial = 0; trial < trials; trial += 1) {
      say(`bench: (2) trial ${trial + 1}/${trials}: the suite's browse-catalog (constant-vus) and vegeta on GET ${endpoint}, ${vus} VUs/workers, ${seconds}s`);
      await rotated(trial, steps);
    }
  } finally {
    await demo.stop();
    await rm(dir, { recursive: true, force: true });
  }
  const engineRate = median(engine.map((s) => s.ratePerSecond));
  const vegetaRate = median(vegetaSamples.map((s) => s.ratePerSecond));
  return {
    vus,
    seconds,
    engine,
    vegeta: vegetaSamples,
    engineRate,
    vegetaRate,
    rateRatio: ratio(engineRate, vegetaRate),
    engineCpuPerRequestUs: cpuPerRequestUs(engine),
    vegetaCpuPerRequestUs: cpuPerRequestUs(vegetaSamples),
  };
}
