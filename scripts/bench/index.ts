/**
 * `npm run bench`: the load engine's benchmark (docs/benchmarks.md), then a pointer to the metric-stream
 * aggregation benchmark. Not a test: it measures and reports, it does not judge the build.
 *
 *   node dist/bench.mjs [--quick] [--trials N] [--only one-get,browse,suite,memory,lag,startup,bundle,gate,accuracy,validate,observation]
 *
 * Figures may also be named by their number or letter: 1-6, c, d, e, f, g. `validate` (f, config
 * validation time by number of endpoints) needs no load engine; `observation` (g, the scaling watcher's
 * latency from an API change to its record) needs the local cluster.
 */
import { parseArgs } from "node:util";
import { say, table } from "../core/output.ts";
import { measureValidation } from "./figure-validate.ts";
import { measureObservationLatency } from "./figure-scaling.ts";
import { figureAliases, figureNames, runLoadBench, type FigureName } from "./load-bench.ts";
import { defaultSettings, quickSettings } from "./settings.ts";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    trials: { type: "string" },
    only: { type: "string" },
  },
  strict: true,
});

const settings = { ...(values.quick ? quickSettings : defaultSettings) };
if (values.trials !== undefined) {
  const trials = Number(values.trials);
  if (!Number.isInteger(trials) || trials < 1 || trials > 20) {
    say("bench: --trials must be a whole number from 1 to 20");
    process.exit(2);
  }
  settings.trials = trials;
}
const knownFigures: readonly string[] = [...figureNames, "validate", "observation"];
const ownAliases: Record<string, string> = { f: "validate", g: "observation" };
const requested = values.only ? values.only.split(",").map((name) => name.trim()).map((name) => ownAliases[name] ?? figureAliases[name] ?? name) : [...knownFigures];
const unknown = requested.filter((name) => !knownFigures.includes(name));
if (unknown.length > 0) {
  say(`bench: --only: unknown figure(s) ${unknown.join(", ")} (known: ${knownFigures.join(", ")}, or 1-6, c, d, e, f, g)`);
  process.exit(2);
}

if (requested.includes("validate")) {
  const rows = measureValidation(settings.trials);
  process.stdout.write(`\n(f) config validation (median of ${settings.trials} trial(s), JSON already parsed)\n`);
  process.stdout.write(table([["endpoints", "validate", "per 1000 endpoints"], ...rows.map((row) => [String(row.endpoints), `${row.medianMs.toFixed(0)} ms`, `${row.msPerThousandEndpoints.toFixed(1)} ms`])]) + "\n");
}
if (requested.includes("observation")) {
  const latency = await measureObservationLatency(20);
  if (latency) {
    process.stdout.write("\n(g) scaling watcher: API change sent -> recorded (20 changes each, local cluster; goal < 1 s)\n");
    const row = (label: string, figures: typeof latency.deployment) => [label, `${figures.medianMs} ms`, `${figures.p95Ms} ms`, `${figures.maxMs} ms`];
    process.stdout.write(table([["change", "median", "p95", "max"], row("Deployment spec.replicas", latency.deployment), row("HPA spec.maxReplicas", latency.hpa), row("(API round trip alone)", latency.apiRoundTrip)]) + "\n");
  }
}
const loadFigures = requested.filter((name) => name !== "validate" && name !== "observation") as FigureName[];
const { ok } = loadFigures.length > 0 ? await runLoadBench(settings, new Set(loadFigures)) : { ok: true };

// scripts/bench/timeseries.ts runs its benchmark at import time and exports nothing to call.
process.stdout.write("\nmetric-stream aggregation benchmark (separate): npm run bench:timeseries -- [--samples N] [--file samples.json]\n");
process.exitCode = ok ? 0 : 1;
