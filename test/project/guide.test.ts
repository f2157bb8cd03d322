import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { sh } from "../support/user-project.ts";
import { UserService } from "../support/user-service.ts";

const workspace = inject("projectWorkspace");
const tarball = inject("bulwarkTarball");
let service: UserService;

beforeAll(async () => {
  service = await new UserService().start();
});
afterAll(async () => {
  await service.stop();
});

type GuideAction = { kind: "command"; line: string } | { kind: "file"; path: string; content: string };

/** The guide's shell commands (every line of a ```sh block) and the files it shows (a block after `<!-- file: name -->`), in order. */
export function guideActions(markdown: string): GuideAction[] {
  const actions: GuideAction[] = [];
  const lines = markdown.split("\n");
  let pendingFile: string | undefined;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const marker = /^<!-- file: (.+) -->$/.exec(line.trim());
    if (marker) {
      pendingFile = marker[1];
      continue;
    }
    const fence = /^```(\w+)$/.exec(line.trim());
    if (!fence) continue;
    const body: string[] = [];
    for (index++; index < lines.length && lines[index]!.trim() !== "```"; index++) body.push(lines[index]!);
    if (pendingFile !== undefined) actions.push({ kind: "file", path: pendingFile, content: body.join("\n") + "\n" });
    else if (fence[1] === "sh") for (const command of body.map((text) => text.replace(/\s+#.*$/, "").trim()).filter(Boolean)) actions.push({ kind: "command", line: command });
    pendingFile = undefined;
  }
  return actions;
}

/** The README's section "Use it on your service". */
function readmeSection(): string {
  const readme = readFileSync(repoPath("README.md"), "utf8");
  const start = readme.indexOf("## Use it on your service");
  expect(start, "README has a section 'Use it on your service'").toBeGreaterThanOrEqual(0);
  const end = readme.indexOf("\n## ", start + 3);
  return readme.slice(start, end === -1 ? undefined : end);
}

async function follow(actions: GuideAction[], folder: string): Promise<void> {
  const localise = (text: string) => text.replaceAll("/path/to/bulwark-0.1.0.tgz", tarball).replaceAll("http://127.0.0.1:8080", service.url);
  for (const action of actions) {
    if (action.kind === "file") {
      mkdirSync(dirname(join(folder, action.path)), { recursive: true });
      writeFileSync(join(folder, action.path), localise(action.content));
      continue;
    }
    service.token = /SERVICE_TOKEN=(\S+)/.exec(action.line)?.[1];
    const result = await sh(localise(action.line), folder);
    expect(result.code, `${action.line}\n${result.stderr}`).toBe(0);
  }
}

describe("the guide (docs/your-service.md, README 'Use it on your service')", () => {
  it("every command of docs/your-service.md passes, in order, in a fresh repository", async () => {
    const actions = guideActions(readFileSync(repoPath("docs", "your-service.md"), "utf8"));
    expect(actions.filter((action) => action.kind === "command").map((action) => (action as { line: string }).line)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^npm install --save-dev /), expect.stringMatching(/^npx bulwark init --target /), "npx bulwark gate nightly", expect.stringMatching(/^SERVICE_TOKEN=/)]),
    );
    const folder = mkdtempSync(join(workspace, "guide-"));
    writeFileSync(join(folder, "package.json"), JSON.stringify({ name: "guide-user", version: "1.0.0", private: true }, null, 2) + "\n");
    service.hits.clear();
    await follow(actions, folder);
    expect(service.hits.get("GET /api/users/{id}") ?? 0).toBeGreaterThan(0);
  });

  it("every command of the README's section passes, in order, in a fresh repository", async () => {
    const actions = guideActions(readmeSection());
    expect(actions.some((action) => action.kind === "command" && action.line.startsWith("npx bulwark gate"))).toBe(true);
    const folder = mkdtempSync(join(workspace, "readme-"));
    writeFileSync(join(folder, "package.json"), JSON.stringify({ name: "readme-user", version: "1.0.0", private: true }, null, 2) + "\n");
    await follow(actions, folder);
  });
});
