import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { repoPath } from "../../../scripts/core/repo-root.ts";
import { layerOf, violationsIn, violationsOf } from "../../support/import-layers.ts";

const sourceFiles = (): string[] =>
  execFileSync("git", ["ls-files", "-co", "--exclude-standard", "--", "*.ts", "*.mjs", "*.js"], { cwd: repoPath(), encoding: "utf8" })
    .split("\n")
    .filter((file) => file && !file.startsWith("test/") && !file.startsWith("scripts/engine/") && existsSync(repoPath(file)));

describe("import layers (docs/architecture.md)", () => {
  it("every module of the tree imports only its own layer or lower ones", () => {
    expect(violationsIn(repoPath(), sourceFiles())).toEqual([]);
  });

  it("every source module belongs to a layer", () => {
    const unplaced = sourceFiles().filter((file) => !layerOf(file) && !["bin/bulwark.mjs", "scripts/build.mjs", "vitest.config.ts", "scenarios/tsconfig.json"].includes(file));
    expect(unplaced).toEqual([]);
  });

  it("fails a kind that imports the local estate", () => {
    const source = 'import { startPostgres } from "../../../scripts/local/containers/postgres.ts";\n';
    expect(violationsOf("chaos/drills/kinds/pitr-container-runner.ts", source)).toEqual([
      { file: "chaos/drills/kinds/pitr-container-runner.ts", imports: "scripts/local/containers/postgres.ts", rule: "kinds and estate may not import each other" },
    ]);
  });

  it("fails the base config importing a kind, and core importing reports", () => {
    expect(violationsOf("thresholds/schema.ts", 'import { drillSchema } from "../chaos/drills/definition.ts";')).toHaveLength(1);
    expect(violationsOf("scripts/core/audit-log.ts", 'const { x } = await import("../../reports/run-directory.ts");')).toEqual([
      { file: "scripts/core/audit-log.ts", imports: "reports/run-directory.ts", rule: "core may not import reports (a higher layer)" },
    ]);
  });

  it("lets the CLI import anything below it", () => {
    expect(violationsOf("scripts/commands/gate.ts", 'import { defaultRegistry } from "../registry/registry.ts";\nimport { say } from "../core/output.ts";')).toEqual([]);
  });
});
