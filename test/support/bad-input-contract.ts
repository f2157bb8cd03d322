// The bad-input contract as the corpus tests check it (test/e2e/bad-input-corpus.test.ts and
// test/e2e/bad-input-kinds.test.ts): a CLI case runs the built CLI in a sandbox folder and asserts the exit
// code, one line naming the field or argument, no stack trace, nothing written outside --out (nothing at
// all for exit 2) and no secret in any output or file.
import { spawn } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { shippedConfigCopy } from "./shipped-config.ts";

/** Secrets the corpus hands to bulwark; none may appear in any output or file. */
export const urlPassword = "hunter2-corpus-password";
export const bearerToken = "corpus-bearer-token-secret";
export const secrets = [urlPassword, bearerToken];

export interface Sandbox {
  root: string;
  /** --out of the case; bulwark creates it. */
  out: string;
  /** A mutated copy of the shipped config, written into the sandbox. */
  config(mutate: (config: Record<string, any>) => void): string;
  /** A config file with exactly this text. */
  rawConfig(text: string): string;
  /** A file (not a folder) in the sandbox. */
  file(): string;
}

export interface CliCase {
  name: string;
  args: (sandbox: Sandbox) => string[];
  env?: (sandbox: Sandbox) => Record<string, string>;
  code: number;
  /** The last line of stderr (the only one for exit 2): names the field or argument, quotes the value. */
  line: RegExp;
  /** run, gate, drill, alert and rollout (not their list) get `--out <sandbox>/out` unless the case names its own. */
  noOut?: boolean;
}

export function makeSandbox(): Sandbox {
  const root = mkdtempSync(join(tmpdir(), "bulwark-corpus-"));
  mkdirSync(join(root, "cwd"));
  return {
    root,
    out: join(root, "out"),
    config(mutate) {
      const config = shippedConfigCopy();
      mutate(config);
      const path = join(root, "config.json");
      writeFileSync(path, JSON.stringify(config));
      return path;
    },
    rawConfig(text) {
      const path = join(root, "config.json");
      writeFileSync(path, text);
      return path;
    },
    file() {
      const path = join(root, "a-file");
      writeFileSync(path, "not a folder\n");
      return path;
    },
  };
}

/** Every file and folder below `root`, relative, for before/after comparisons. */
export function tree(root: string, prefix = ""): string[] {
  if (!existsSync(root)) return [];
  // Symlinks are listed, never followed (a case points one at /proc).
  return readdirSync(root, { withFileTypes: true })
    .flatMap((entry) => [join(prefix, entry.name), ...(entry.isDirectory() ? tree(join(root, entry.name), join(prefix, entry.name)) : [])])
    .sort();
}

export const runDirectoriesInRepo = () => (existsSync(repoPath("reports")) ? readdirSync(repoPath("reports")).filter((name) => /^\d{8}T\d{6}Z-/.test(name)) : []);

export function filesWithText(root: string): string[] {
  return tree(root)
    .map((path) => join(root, path))
    .filter((path) => lstatSync(path).isFile())
    .map((path) => readFileSync(path, "latin1"));
}

/** bulwark's environment without the BULWARK_* variables of the machine running the tests. */
export function cleanEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NO_COLOR: "1" };
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("BULWARK_")) env[key] = value;
  return { ...env, BULWARK_CORPUS_TOKEN: bearerToken, ...extra };
}

export function runBulwark(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [repoPath("bin", "bulwark.mjs"), ...args], { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

export const stackTrace = /^\s+at .+(:\d+:\d+\)?|\(native\))$/m;

export async function expectContract(testCase: CliCase): Promise<void> {
  const sandbox = makeSandbox();
  const args = testCase.args(sandbox);
  const takesOut = ["run", "gate", "drill", "alert", "rollout"].includes(args[0] ?? "") && args[1] !== "list" && !args.includes("--dry-run");
  const fullArgs = takesOut && !testCase.noOut && !args.includes("--out") ? [...args, "--out", sandbox.out] : args;
  const env = cleanEnvironment(testCase.env?.(sandbox) ?? {});
  // The project's scenario bundles (.bulwark/, beside the config) are a build cache, not output.
  const outsideOut = () => tree(sandbox.root).filter((path) => !path.startsWith("out") && !path.startsWith(".bulwark"));
  const sandboxBefore = outsideOut();
  const repoRunsBefore = runDirectoriesInRepo();

  const { code, stdout, stderr } = await runBulwark(fullArgs, env, join(sandbox.root, "cwd"));

  const lines = stderr.trim().split("\n");
  expect(code, stderr).toBe(testCase.code);
  if (testCase.code === 2) expect(lines, stderr).toHaveLength(1);
  expect(lines.at(-1), stderr).toMatch(/^bulwark: /);
  expect(lines.at(-1), stderr).toMatch(testCase.line);
  expect(`${stdout}\n${stderr}`).not.toMatch(stackTrace);
  // Nothing outside --out: the sandbox holds what it held, and no run directory appeared in the repository.
  expect(outsideOut()).toEqual(sandboxBefore);
  expect(runDirectoriesInRepo()).toEqual(repoRunsBefore);
  if (testCase.code === 2) expect(existsSync(sandbox.out), "exit 2 writes nothing, not even --out").toBe(false);
  for (const secret of secrets) {
    expect(stdout + stderr).not.toContain(secret);
    for (const text of filesWithText(sandbox.out)) expect(text).not.toContain(secret);
  }
}
