// Bundles the CLI (and the benchmark driver) for Node. Scenarios are bundled for k6 by the CLI itself
// (scripts/k6/bundle.ts) right before a run, so they are never stale.
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

const nodeEntries = {
  cli: "scripts/cli.ts",
  bench: "scripts/bench/index.ts",
  "demo-target": "scripts/demo-target/main.ts",
  "generate-schemas": "scripts/generate-schemas.ts",
};

export async function buildCli() {
  const { existsSync } = await import("node:fs");
  const entryPoints = Object.fromEntries(
    Object.entries(nodeEntries).filter(([, file]) => existsSync(join(root, file))).map(([name, file]) => [name, join(root, file)]),
  );
  await build({
    entryPoints,
    outdir: join(root, "dist"),
    outExtension: { ".js": ".mjs" },
    bundle: true,
    // npm packages stay in node_modules: they are installed anyway and some load files at run time.
    packages: "external",
    platform: "node",
    target: "node20",
    format: "esm",
    // Commands import heavy libraries (Kubernetes client, testcontainers) lazily: each becomes a chunk
    // that loads only when that command runs, so `bulwark run` starts fast.
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    sourcemap: "linked",
    logLevel: "warning",
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildCli();
}
