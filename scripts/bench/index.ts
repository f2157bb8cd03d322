/**
 * `npm run bench`: the load engine's benchmark (docs/benchmarks.md), then a pointer to the metric-stream
 * aggregation benchmark. Not a test: it measures and reports, it does not judge the build.
 *
 *   node dist/bench.mjs [--quick] [--trials N] [--only one-get,browse,suite,memory,lag,startup,bundle,gate,accuracy]
 *
 * Figures may also be named by their number or letter: 1-6, c, d, e.
 */
import { parseArgs } from "node:util";
import { say } from "../core/output.ts";
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
const requested = values.only ? values.only.split(",").map((name) => name.trim()).map((name) => figureAliases[name] ?? name) : [...figureNames];
const unknown = requested.filter((name) => !(figureNames as readonly string[]).includes(name));
if (unknown.length > 0) {
  say(`bench: --only: unknown figure(s) ${unknown.join(", ")} (known: ${figureNames.join(", ")}, or 1-6, c, d, e)`);
  process.exit(2);
}

const { ok } = await runLoadBench(settings, new Set(requested as FigureName[]));

// scripts/bench/timeseries.ts runs its benchmark at import time and exports nothing to call.
process.stdout.write("\nmetric-stream aggregation benchmark (separate): npm run bench:timeseries -- [--samples N] [--file samples.json]\n");
process.exitCode = ok ? 0 : 1;
