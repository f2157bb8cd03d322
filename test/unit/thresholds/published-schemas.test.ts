import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { publishedSchemas, renderSchema } from "../../../scripts/generate-schemas.ts";
import { repoPath } from "../../../scripts/core/repo-root.ts";

describe("published JSON Schemas", () => {
  it.each(Object.entries(publishedSchemas))("%s matches the zod schema (regenerate with npm run schemas)", (path, generate) => {
    expect(readFileSync(repoPath(path), "utf8")).toBe(renderSchema(generate()));
  });
});
