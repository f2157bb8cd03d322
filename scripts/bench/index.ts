/**
 * `npm run bench`: the load gate's benchmark (issue 2; docs/benchmarks.md), then a pointer to the
 * metric-stream aggregation benchmark. Not a test: it measures and reports, it does not judge the build.
 *
 *   node dist/bench.mjs [--quick] [--trials N] [--only a,b,c,d,e,f]
 */
import { parseArgs } from "node:util";
import { say } from "../lib/output.ts";
import { figureNames, runLoadBench, type FigureName } from "./load-bench.ts";
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
const requested = values.only ? values.only.split(",").map((name) => name.trim()) : [...figureNames];
const unknown = requested.filter((name) => !(figureNames as readonly string[]).includes(name));
if (unknown.length > 0) {
  say(`bench: --only: unknown figure(s) ${unknown.join(", ")} (known: ${figureNames.join(", ")})`);
  process.exit(2);
}

const { ok } = await runLoadBench(settings, new Set(requested as FigureName[]));

// scripts/bench/timeseries.ts runs its benchmark at import time and exports nothing to call.
process.stdout.write("\nmetric-stream aggregation benchmark (separate): npm run bench:timeseries -- [--samples N] [--file k6.json]\n");
process.exitCode = ok ? 0 : 1;
