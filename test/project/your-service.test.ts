import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { newUserProject, readJson, sh, writeJson } from "../support/user-project.ts";
import { UserService, userServiceEndpoints, userServiceRoutes } from "../support/user-service.ts";

const workspace = inject("projectWorkspace");
let service: UserService;

beforeAll(async () => {
  service = await new UserService().start();
});
afterAll(async () => {
  await service.stop();
});

/** What `bulwark init` wrote, with the service's endpoints declared as a user would. */
async function initialisedProject(name: string): Promise<string> {
  const project = newUserProject(workspace, name);
  const init = await sh(`npx bulwark init --target ${service.url}`, project);
  expect(init.code, init.stderr).toBe(0);
  const config = readJson(join(project, "bulwark.config.json"));
  config.endpoints = userServiceEndpoints;
  writeJson(join(project, "bulwark.config.json"), config);
  return project;
}

const runFolders = (project: string): string[] => readdirSync(join(project, "reports")).filter((name) => /^\d{8}T/.test(name));

describe("bulwark on a user's service, installed from its tarball", () => {
  it("init, then `gate nightly` passes against the service; the same service made slow fails it", async () => {
    const project = await initialisedProject("gate");
    for (const file of ["bulwark.config.json", "scenarios/journey.ts", "scenarios/tsconfig.json", ".github/workflows/bulwark.yml", ".gitlab-ci.yml"]) expect(existsSync(join(project, file)), file).toBe(true);
    expect(readJson(join(project, "bulwark.config.json")).$schema).toBe("./node_modules/bulwark/docs/config.schema.json");
    expect(readJson(join(project, "package.json")).devDependencies).toMatchObject({ typescript: expect.any(String), "@types/k6": expect.any(String) });

    service.hits.clear();
    service.slowMs = 0;
    const pass = await sh("npx bulwark gate nightly", project);
    expect(pass.code, pass.stderr).toBe(0);
    for (const route of userServiceRoutes) expect(service.hits.get(route) ?? 0, route).toBeGreaterThan(0);
    const [first] = runFolders(project);
    const summary = readJson(join(project, "reports", first!, "summary.json"));
    expect(summary).toMatchObject({ verdict: "pass", environment: "target", target: service.url });
    expect(existsSync(join(project, "reports", first!, "junit.xml"))).toBe(true);
    expect(existsSync(join(project, ".bulwark", "bundles", "journey.js"))).toBe(true);

    service.slowMs = 300;
    try {
      const fail = await sh("npx bulwark gate nightly", project);
      expect(fail.code, fail.stderr).toBe(1);
      expect(fail.stderr).toMatch(/list-users p\(95\) < 200 ms .* fail/);
    } finally {
      service.slowMs = 0;
    }
    expect(runFolders(project)).toHaveLength(2);
  });

  it("--target without --env is an environment of its own, never the demo, with the config's profiles or a quick-look override", async () => {
    const project = await initialisedProject("target");
    const run = await sh(`npx bulwark run endpoints --env target --target ${service.url} --duration 2s --json`, project);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.environment).toBe("target");
    // Against bulwark's embedded config (its default environment is the demo), --target is still not the demo.
    const adHoc = await sh(`npx bulwark run endpoints --config node_modules/bulwark/bulwark.config.json --target ${service.url} --duration 1s --out reports --json`, project);
    expect(adHoc.stderr).not.toContain("demo target listening");
    expect(JSON.parse(adHoc.stdout).environment).toBe("target");
  });

  it("a user scenario may import an npm package from the user's node_modules; node:fs is refused (exit 2); a type error fails validate naming file:line", async () => {
    const project = await initialisedProject("scenarios");
    const library = join(project, "node_modules", "user-greeting");
    mkdirSync(library, { recursive: true });
    writeJson(join(library, "package.json"), { name: "user-greeting", version: "1.0.0", main: "index.js", types: "index.d.ts" });
    writeFileSync(join(library, "index.js"), "exports.orderFor = function (sku) { return { sku: sku, quantity: 2 }; };\n");
    writeFileSync(join(library, "index.d.ts"), "export declare function orderFor(sku: string): { sku: string; quantity: number };\n");
    try {
      writeFileSync(
        join(project, "scenarios", "order.ts"),
        `import { orderFor } from "user-greeting";
import { defineScenario } from "bulwark/scenario";

export const scenario = defineScenario({ name: "order", description: "orders a book", endpoints: ["create-order"] });
export const options = scenario.options;
export const setup = scenario.setup;

export default function order(): void {
  scenario.call("create-order", { body: orderFor("book-1") });
}
`,
      );
      service.hits.clear();
      const ran = await sh("npx bulwark run order --duration 2s", project);
      expect(ran.code, ran.stderr).toBe(0);
      expect(service.hits.get("POST /api/orders") ?? 0).toBeGreaterThan(0);

      writeFileSync(join(project, "scenarios", "reads-files.ts"), `import { readFileSync } from "node:fs";\nimport { defineScenario } from "bulwark/scenario";\n\nexport const scenario = defineScenario({ name: "reads-files", description: "x", endpoints: ["health"] });\nexport const options = scenario.options;\nexport default function (): void {\n  readFileSync("/etc/hostname");\n}\n`);
      const refused = await sh("npx bulwark run reads-files", project);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain("node:fs");
      expect(refused.stderr).toContain("scenarios/reads-files.ts:1:");
      rmSync(join(project, "scenarios", "reads-files.ts"));

      writeFileSync(join(project, "scenarios", "typed.ts"), `import { defineScenario } from "bulwark/scenario";\n\nexport const scenario = defineScenario({ name: "typed", description: "x", endpoints: ["health"] });\nexport const options = scenario.options;\nexport default function (): void {\n  const status: number = scenario.call("health").body;\n  void status;\n}\n`);
      const validate = await sh("npx bulwark validate", project);
      expect(validate.code).toBe(2);
      expect(validate.stderr).toMatch(/scenarios\/typed\.ts:6:\d+: TS\d+/);
    } finally {
      rmSync(library, { recursive: true, force: true });
    }
  });

  it("init in a folder that has a config already exits 2 naming it and changes nothing", async () => {
    const project = newUserProject(workspace, "existing");
    writeFileSync(join(project, "bulwark.config.json"), '{ "mine": true }\n');
    const before = readdirSync(project, { recursive: true, withFileTypes: false }).sort();
    const packageJson = readFileSync(join(project, "package.json"), "utf8");
    const init = await sh(`npx bulwark init --target ${service.url}`, project);
    expect(init.code).toBe(2);
    expect(init.stderr).toContain("bulwark.config.json exists already");
    expect(readFileSync(join(project, "bulwark.config.json"), "utf8")).toBe('{ "mine": true }\n');
    expect(readFileSync(join(project, "package.json"), "utf8")).toBe(packageJson);
    expect(readdirSync(project, { recursive: true, withFileTypes: false }).sort()).toEqual(before);
  });
});
