import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import { UsageError } from "../core/errors.ts";
import { say } from "../core/output.ts";
import { packagePath } from "../core/project-root.ts";
import type { Command, CommandContext } from "./command.ts";
import { targetFlag } from "./load-flags.ts";
import { starterFiles } from "./init/starter-files.ts";
import { quoteName } from "../core/quote-value.ts";

const defaultBaseUrl = "http://127.0.0.1:8080";

/** The dev dependencies scenarios are type-checked with, at the versions bulwark itself is checked with. */
function typeCheckDependencies(): Record<string, string> {
  const own = JSON.parse(readFileSync(packagePath("package.json"), "utf8")) as { devDependencies?: Record<string, string> };
  return { typescript: own.devDependencies?.typescript ?? "latest", "@types/k6": own.devDependencies?.["@types/k6"] ?? "latest" };
}

async function askBaseUrl(context: CommandContext): Promise<string> {
  const given = targetFlag(context);
  if (given !== undefined) return given;
  if (!process.stdin.isTTY || !process.stderr.isTTY) return defaultBaseUrl;
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await prompt.question(`Base URL of your service [${defaultBaseUrl}]: `)).trim();
    return answer === "" ? defaultBaseUrl : answer;
  } finally {
    prompt.close();
  }
}

/** Adds typescript and @types/k6 to the project's devDependencies; false when it has no package.json. */
async function addDevDependencies(folder: string, dependencies: Record<string, string>): Promise<"added" | "present" | "no-package-json"> {
  const path = join(folder, "package.json");
  if (!existsSync(path)) return "no-package-json";
  const text = readFileSync(path, "utf8");
  const manifest = JSON.parse(text) as Record<string, unknown> & { devDependencies?: Record<string, string>; dependencies?: Record<string, string> };
  const missing = Object.entries(dependencies).filter(([name]) => !manifest.devDependencies?.[name] && !manifest.dependencies?.[name]);
  if (missing.length === 0) return "present";
  manifest.devDependencies = { ...manifest.devDependencies, ...Object.fromEntries(missing) };
  const indent = /^[ \t]+/m.exec(text)?.[0] ?? "  ";
  await writeFile(path, JSON.stringify(manifest, null, indent) + "\n");
  return "added";
}

export const initCommand: Command = {
  name: "init",
  summary: "write a starter into this repository: config, a TypeScript scenario, CI templates",
  help: `Usage: bulwark init [--target <url>]

Writes, in the current folder: bulwark.config.json (with $schema), scenarios/journey.ts (a TypeScript
scenario), scenarios/tsconfig.json (type-checks scenarios against @types/k6), .github/workflows/bulwark.yml
and .gitlab-ci.yml (the nightly gate in CI), a .gitignore when there is none, and adds typescript and @types/k6 to package.json's
devDependencies (or prints the npm command when there is no package.json). Never overwrites a file
(exit 2 naming it); asks for the service's URL only on a terminal and when --target is not given.

Flags:
  --target <url>   base URL of your service, written as the "target" environment's baseUrl

Examples:
  npx bulwark init --target http://127.0.0.1:8080
`,
  options: { target: { type: "string" } },
  async run(context) {
    if (context.positionals.length > 0) throw new UsageError(`init: unexpected argument ${quoteName(context.positionals[0]!)}`);
    const folder = resolve(process.cwd());
    const files = starterFiles(await askBaseUrl(context)).map((file) => ({ ...file, absolute: join(folder, file.path) }));
    const existing = files.find((file) => existsSync(file.absolute));
    if (existing) throw new UsageError(`init: ${existing.path} exists already; init never overwrites a file (nothing was written)`);
    for (const file of files) {
      await mkdir(dirname(file.absolute), { recursive: true });
      await writeFile(file.absolute, file.content, { flag: "wx" });
      say(`bulwark: wrote ${file.path}`);
    }
    // Run folders and bundles are outputs; the history is kept by CI's cache, not by git.
    if (!existsSync(join(folder, ".gitignore"))) {
      await writeFile(join(folder, ".gitignore"), "node_modules/\nreports/\n.bulwark/\n", { flag: "wx" });
      say("bulwark: wrote .gitignore");
    } else say("bulwark: .gitignore exists: add reports/ and .bulwark/ to it (run folders and bundles are outputs)");
    const dependencies = typeCheckDependencies();
    const added = await addDevDependencies(folder, dependencies);
    const install = `npm install --save-dev ${Object.entries(dependencies).map(([name, version]) => `${name}@${version}`).join(" ")}`;
    if (added === "added") say(`bulwark: added ${Object.keys(dependencies).join(" and ")} to package.json's devDependencies: run 'npm install' to type-check scenarios`);
    else if (added === "no-package-json") say(`bulwark: no package.json here; scenarios are type-checked once you run: ${install}`);
    say(`bulwark: next: declare your endpoints in bulwark.config.json, then 'npx bulwark run endpoints' and 'npx bulwark gate nightly' (docs: node_modules/bulwark/docs/your-service.md)`);
    return 0;
  },
};
