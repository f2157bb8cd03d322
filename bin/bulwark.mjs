#!/usr/bin/env node
// Runs the bundled CLI; builds it first when the bundle is missing (fresh clone, `npm link`).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bundle = join(root, "dist", "cli.mjs");
if (!existsSync(bundle)) {
  const { buildCli } = await import(join(root, "scripts", "build.mjs"));
  await buildCli();
}
const { runCli } = await import(bundle);
await runCli(process.argv.slice(2));
