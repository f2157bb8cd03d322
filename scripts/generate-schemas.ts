// Writes the JSON Schemas of the config and of summary.json into docs/, from the zod schemas.
// A unit test pins them, so the published schema cannot drift from the code.
import { writeFile } from "node:fs/promises";
import { z } from "zod";
import { defaultRegistry } from "./registry/registry.ts";
import { summarySchema } from "../reports/summary-schema.ts";
import { repoPath } from "./core/repo-root.ts";

export const publishedSchemas = {
  "docs/config.schema.json": () => z.toJSONSchema(defaultRegistry.configSchema(), { io: "input", unrepresentable: "any" }),
  "docs/summary.schema.json": () => z.toJSONSchema(summarySchema, { io: "output", unrepresentable: "any" }),
};

export function renderSchema(schema: unknown): string {
  return JSON.stringify(schema, null, 2) + "\n";
}

if (process.argv[1]?.endsWith("generate-schemas.mjs")) {
  for (const [path, generate] of Object.entries(publishedSchemas)) {
    await writeFile(repoPath(path), renderSchema(generate()));
    process.stderr.write(`wrote ${path}\n`);
  }
}
