// docs/configuration.md is the index of every config key: its tables must name exactly the keys the
// schema has (the base keys, every step kind's keys, and an environment's keys), so a kind that adds a
// key, or drops one, updates the page.
import { readFileSync } from "node:fs";
import type { z } from "zod";
import { describe, expect, it } from "vitest";
import { repoPath } from "../../../scripts/core/repo-root.ts";
import { defaultRegistry } from "../../../scripts/registry/registry.ts";
import { environmentSchema } from "../../../thresholds/schema.ts";

const page = readFileSync(repoPath("docs", "configuration.md"), "utf8");

/** The keys in the first column of the table under `## <heading>`. */
function documentedKeys(heading: string): string[] {
  const section = page.split(/^## /m).find((part) => part.startsWith(`${heading}\n`));
  expect(section, `section '## ${heading}' in docs/configuration.md`).toBeDefined();
  return [...section!.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1]!);
}

describe("docs/configuration.md", () => {
  it("lists every top-level key of the assembled config schema, and no other", () => {
    const schemaKeys = Object.keys((defaultRegistry.configSchema() as unknown as z.ZodObject).shape);
    expect(schemaKeys).toEqual(expect.arrayContaining(["experiments", "experimentsDir", "alertChecks", "alertRules", "scalingChecks", "rolloutChecks"]));
    expect(documentedKeys("Top-level keys").sort()).toEqual(schemaKeys.sort());
  });

  it("lists every key of an environment, and no other", () => {
    const schemaKeys = Object.keys(environmentSchema.shape);
    expect(schemaKeys).toEqual(expect.arrayContaining(["kubernetes", "monitoring", "production", "allowChaos"]));
    expect(documentedKeys("Environment keys").sort()).toEqual(schemaKeys.sort());
  });

  it("shows a suite step of every registered kind", () => {
    const steps = page.split(/^## /m).find((part) => part.startsWith("Suite steps\n"))!;
    for (const kind of defaultRegistry.kinds) expect(steps, kind.name).toMatch(new RegExp(`\\| \`\\{"${kind.suiteStepKey}": [^|]*\\| \`${kind.name}\` \\|`));
  });
});
