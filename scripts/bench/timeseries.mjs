// Bundles and runs the time-series aggregation benchmark: `npm run bench:timeseries -- [--samples N] [--file samples.json] [--json]`.
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const outfile = join(root, "dist", "bench-timeseries.mjs");
await build({
  entryPoints: [join(root, "scripts", "bench", "timeseries.ts")],
  outfile,
  bundle: true,
  packages: "external",
  platform: "node",
  target: "node20",
  format: "esm",
  logLevel: "warning",
});
await import(pathToFileURL(outfile).href);
