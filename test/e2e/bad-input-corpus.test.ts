/**
 * The bad-input corpus (issue "Hardening"): a hostile user's inputs across config, CLI, scenarios,
 * paths, names and secrets. Per case: the exit code, one line naming the field or argument and quoting
 * the value, no stack trace, nothing written outside --out, and no secret in any output or file.
 *
 * CLI cases run the built CLI (`node bin/bulwark.mjs`) in a sandbox folder; config cases use
 * `--config <sandbox>/config.json`, a mutated copy of bulwark.config.json. Scenario cases (syntax error,
 * missing package, missing file, type error) cannot go through the CLI: scenarios come from
 * scenarios/catalog.ts only and the config has no scenarios folder. They call the functions the load
 * kind calls before any load (bundleForEngine, typeCheckScenarios) on a copy of scenarios/ in a
 * temporary folder, and assert the same contract on the error they throw. The contract itself (sandbox,
 * assertions) is test/support/bad-input-contract.ts, shared with test/e2e/bad-input-kinds.test.ts.
 */
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ExitError } from "../../scripts/core/errors.ts";
import { repoPath, repoRoot } from "../../scripts/core/repo-root.ts";
import { bundleForEngine } from "../../scripts/kinds/load/bundle.ts";
import { typeCheckScenarios, type TypeCheckRequest } from "../../scripts/kinds/load/typecheck.ts";
import { startDemoTarget, type RunningDemoTarget } from "../../scripts/demo-target/launch.ts";
import { noFaults } from "../../scripts/demo-target/faults.ts";
import { reportInternalError } from "../../scripts/cli.ts";
import { cleanEnvironment, expectContract, filesWithText, makeSandbox, runBulwark, stackTrace, urlPassword, type CliCase } from "../support/bad-input-contract.ts";

const shipped = JSON.parse(readFileSync(repoPath("bulwark.config.json"), "utf8")) as Record<string, any>;
const nightly = () => structuredClone(shipped.suites.nightly);

// ---------------------------------------------------------------- CLI arguments and flags
const cliCases: CliCase[] = [
  { name: "an unknown command", args: () => ["stampede"], code: 2, line: /unknown command 'stampede'/ },
  { name: "a command name with a newline stays one line", args: () => ["stam\npede"], code: 2, line: /unknown command 'stam\\npede'/ },
  { name: "run without a scenario", args: () => ["run"], code: 2, line: /run: missing <scenario>/ },
  { name: "an unknown scenario", args: () => ["run", "checkout"], code: 2, line: /run: unknown scenario 'checkout'/ },
  { name: "constructor as a scenario", args: () => ["run", "constructor"], code: 2, line: /run: unknown scenario 'constructor'/ },
  { name: "a second scenario argument", args: () => ["run", "smoke", "browse-catalog"], code: 2, line: /run: unexpected argument 'browse-catalog'/ },
  { name: "an unknown flag", args: () => ["run", "smoke", "--speed", "5"], code: 2, line: /Unknown option '--speed'/ },
  { name: "an unknown suite", args: () => ["gate", "weekly"], code: 2, line: /gate: unknown suite 'weekly'/ },
  { name: "toString as a suite", args: () => ["gate", "toString"], code: 2, line: /gate: unknown suite 'toString'/ },
  { name: "constructor as a suite", args: () => ["gate", "constructor"], code: 2, line: /gate: unknown suite 'constructor'/ },
  { name: "__proto__ as a suite", args: () => ["gate", "__proto__"], code: 2, line: /gate: unknown suite '__proto__'/ },
  { name: "a suite name with ../", args: () => ["gate", "../nightly"], code: 2, line: /gate: unknown suite '\.\.\/nightly'/ },
  { name: "an unknown environment", args: () => ["run", "smoke", "--env", "moon"], code: 2, line: /--env: unknown environment 'moon'/ },
  { name: "constructor as an environment", args: () => ["run", "smoke", "--env", "constructor"], code: 2, line: /^bulwark: --env: unknown environment 'constructor'/ },
  { name: "hasOwnProperty as a gate's environment", args: () => ["gate", "nightly", "--env", "hasOwnProperty"], code: 2, line: /--env: unknown environment 'hasOwnProperty'/ },
  { name: "BULWARK_ENV=constructor is named", args: () => ["run", "smoke"], env: () => ({ BULWARK_ENV: "constructor" }), code: 2, line: /^bulwark: BULWARK_ENV=constructor: unknown environment 'constructor'/ },
  { name: "BULWARK_ENV=__proto__ is named", args: () => ["gate", "nightly"], env: () => ({ BULWARK_ENV: "__proto__" }), code: 2, line: /BULWARK_ENV=__proto__: unknown environment '__proto__'/ },
  { name: "an unknown profile", args: () => ["run", "smoke", "--profile", "lunch"], code: 2, line: /--profile: unknown profile 'lunch'/ },
  { name: "toString as a profile", args: () => ["run", "smoke", "--profile", "toString"], code: 2, line: /--profile: unknown profile 'toString'/ },
  { name: "constructor as a gate's profile", args: () => ["gate", "nightly", "--profile", "constructor"], code: 2, line: /--profile: unknown profile 'constructor'/ },
  { name: "a target that is not a URL", args: () => ["run", "smoke", "--target", "localhost-ish"], code: 2, line: /--target: 'localhost-ish' is not a URL/ },
  { name: "BULWARK_TARGET with another scheme is named", args: () => ["run", "smoke"], env: () => ({ BULWARK_TARGET: "ftp://127.0.0.1/" }), code: 2, line: /BULWARK_TARGET=ftp:\/\/127\.0\.0\.1\/: 'ftp:\/\/127\.0\.0\.1\/' must be an http/ },
  { name: "a malformed demo fault", args: () => ["run", "smoke", "--demo-fault", "latency=soon"], code: 2, line: /--demo-fault latency: 'soon'/ },
  { name: "a demo fault with a real target", args: () => ["run", "smoke", "--demo-fault", "errors=5%", "--target", "http://127.0.0.1:9"], code: 2, line: /--demo-fault: only applies to the embedded demo target/ },
  { name: "constructor as a drill", args: () => ["drill", "constructor", "--dry-run"], code: 2, line: /unknown drill 'constructor'/ },
  { name: "__proto__ as a drill", args: () => ["drill", "__proto__", "--dry-run"], code: 2, line: /unknown drill '__proto__'/ },
];

// ---------------------------------------------------------------- config files
const configCases: CliCase[] = [
  { name: "a config file that does not exist", args: (s) => ["validate", "--config", join(s.root, "missing.json")], code: 2, line: /--config: no such file: .*missing\.json/ },
  { name: "BULWARK_CONFIG naming a missing file is named", args: () => ["validate"], env: (s) => ({ BULWARK_CONFIG: join(s.root, "missing.json") }), code: 2, line: /^bulwark: BULWARK_CONFIG=.*missing\.json: no such file/ },
  { name: "a config that is a folder", args: (s) => ["validate", "--config", s.root], code: 2, line: /--config: not a regular file: / },
  { name: "/dev/zero as the config", args: () => ["validate", "--config", "/dev/zero"], code: 2, line: /--config: not a regular file: \/dev\/zero/ },
  { name: "malformed JSON", args: (s) => ["validate", "--config", s.rawConfig('{ "endpoints": [ ')], code: 2, line: /config .*: not valid JSON/ },
  { name: "malformed JSON around a password", args: (s) => ["validate", "--config", s.rawConfig(`{ "environments": { "prod": { "baseUrl": "http://admin:${urlPassword}@example.test" } } `)], code: 2, line: /not valid JSON/ },
  { name: "p95 written as a string", args: (s) => ["validate", "--config", s.config((c) => (c.slo.critical.latencyP95Ms = "200"))], code: 2, line: /slo\.critical\.latencyP95Ms: .*expected number, received string \(got "200"\)/ },
  { name: "an error rate above 1", args: (s) => ["validate", "--config", s.config((c) => (c.slo.standard.errorRate = 1.5))], code: 2, line: /slo\.standard\.errorRate: .*\(got 1\.5\)/ },
  { name: "a misspelt SLO key", args: (s) => ["validate", "--config", s.config((c) => (c.slo.critical.latencyP59Ms = 200))], code: 2, line: /slo\.critical: .*latencyP59Ms/ },
  { name: "endpoints as an object", args: (s) => ["validate", "--config", s.config((c) => (c.endpoints = { name: "list-items" }))], code: 2, line: /endpoints: .*expected array, received object/ },
  { name: "a missing base URL", args: (s) => ["run", "smoke", "--env", "prod", "--config", s.config((c) => (c.environments.prod = {}))], code: 2, line: /environments\.prod\.baseUrl: required unless demo is true/ },
  { name: "a duration with a space", args: (s) => ["run", "smoke", "--config", s.config((c) => (c.profiles.smoke.duration = "5 s"))], code: 2, line: /profiles\.smoke\.duration: invalid duration "5 s"/ },
  { name: "a negative duration", args: (s) => ["gate", "nightly", "--config", s.config((c) => (c.profiles.load.duration = "-30s"))], code: 2, line: /profiles\.load\.duration: invalid duration "-30s": must be a duration/ },
  { name: "a zero duration", args: (s) => ["validate", "--config", s.config((c) => (c.profiles.smoke.duration = "0s"))], code: 2, line: /profiles\.smoke\.duration: invalid duration "0s": must be greater than zero/ },
  { name: "a duration in days", args: (s) => ["validate", "--config", s.config((c) => (c.profiles.soak.duration = "30d"))], code: 2, line: /profiles\.soak\.duration: invalid duration "30d"/ },
  { name: "a duration over 7 days", args: (s) => ["validate", "--config", s.config((c) => (c.profiles.soak.duration = "200h"))], code: 2, line: /profiles\.soak\.duration: invalid duration "200h": must be at most 7 days/ },
  { name: "a stage duration with a space in an environment", args: (s) => ["validate", "--config", s.config((c) => (c.environments.local.profiles.stress.stages[0].duration = "5 s"))], code: 2, line: /environments\.local\.profiles\.stress\.stages\.0\.duration: invalid duration "5 s"/ },
  { name: "maxVUs below preAllocatedVUs", args: (s) => ["run", "smoke", "--config", s.config((c) => (c.profiles.smoke.maxVUs = 2))], code: 2, line: /profiles\.smoke\.maxVUs: 2 is below preAllocatedVUs 5/ },
  { name: "an environment's maxVUs below its preAllocatedVUs", args: (s) => ["validate", "--config", s.config((c) => (c.environments.local.profiles.load.maxVUs = 3))], code: 2, line: /environments\.local\.profiles\.load\.maxVUs: 3 is below preAllocatedVUs 5/ },
  { name: "1e9 VUs", args: (s) => ["run", "smoke", "--config", s.config((c) => (c.profiles.smoke.maxVUs = 1e9))], code: 2, line: /profiles\.smoke\.maxVUs: 1000000000 is above 100000: one load engine process cannot run more VUs/ },
  { name: "1e9 preallocated VUs in an environment", args: (s) => ["validate", "--config", s.config((c) => Object.assign(c.environments.local.profiles.load, { preAllocatedVUs: 1e9, maxVUs: 1e9 }))], code: 2, line: /environments\.local\.profiles\.load\.preAllocatedVUs: 1000000000 is above 100000/ },
  { name: "ten million iterations per second", args: (s) => ["validate", "--config", s.config((c) => (c.profiles.load.ratePerSecond = 1e7))], code: 2, line: /profiles\.load\.ratePerSecond: must be at most 1000000 iterations\/s.*\(got 10000000\)/ },
  { name: "a stage target of two million per second", args: (s) => ["validate", "--config", s.config((c) => (c.profiles.breakpoint.stages[0].target = 2e6))], code: 2, line: /profiles\.breakpoint\.stages\.0\.target: must be at most 1000000.*\(got 2000000\)/ },
  { name: "p95 above p99", args: (s) => ["run", "smoke", "--config", s.config((c) => (c.slo.critical.latencyP95Ms = 800))], code: 2, line: /slo\.critical: latencyP95Ms 800 is above latencyP99Ms 500/ },
  { name: "p95 above p99 after an endpoint's override", args: (s) => ["validate", "--config", s.config((c) => (c.endpoints[3].slo = { latencyP99Ms: 400 }))], code: 2, line: /endpoints\.3\.slo: latencyP95Ms 500 is above latencyP99Ms 400/ },
  { name: "p95 above p99 after an environment's override", args: (s) => ["validate", "--config", s.config((c) => (c.environments.local.slo = { "list-items": { latencyP95Ms: 900 } }))], code: 2, line: /environments\.local\.slo\.list-items: latencyP95Ms 900 is above latencyP99Ms 500/ },
  { name: "a latency limit of a billion ms", args: (s) => ["validate", "--config", s.config((c) => (c.slo.standard.latencyP99Ms = 1e9))], code: 2, line: /slo\.standard\.latencyP99Ms: must be at most 3600000 ms.*\(got 1000000000\)/ },
  { name: "an endpoint defined twice", args: (s) => ["validate", "--config", s.config((c) => c.endpoints.push({ ...c.endpoints[0] }))], code: 2, line: /endpoints\.4\.name: 'list-items' is defined twice \(first at endpoints\.0\)/ },
  { name: "an upper-case endpoint name", args: (s) => ["validate", "--config", s.config((c) => (c.endpoints[0].name = "List-Items"))], code: 2, line: /endpoints\.0\.name: must be lower-case ASCII.*\(got "List-Items"\)/ },
  { name: "a suite name with ../", args: (s) => ["gate", "../escape", "--config", s.config((c) => (c.suites["../escape"] = nightly()))], code: 2, line: /suites\.\.\.\/escape: must be lower-case ASCII.*\(got "\.\.\/escape"\)/ },
  { name: "a non-ASCII suite name", args: (s) => ["gate", "nächtlich", "--config", s.config((c) => (c.suites["nächtlich"] = nightly()))], code: 2, line: /suites\.nächtlich: must be lower-case ASCII.*\(got "nächtlich"\)/ },
  { name: "a suite name of 64 characters", args: (s) => ["validate", "--config", s.config((c) => (c.suites["a".repeat(64)] = nightly()))], code: 2, line: /suites\.a{64}: .*at most 63 characters/ },
  { name: "an upper-case environment name", args: (s) => ["validate", "--config", s.config((c) => (c.environments.Staging = { demo: true }))], code: 2, line: /environments\.Staging: must be lower-case ASCII.*\(got "Staging"\)/ },
  { name: "a profile name with a space", args: (s) => ["validate", "--config", s.config((c) => (c.profiles["my load"] = c.profiles.load))], code: 2, line: /profiles\.my load: must be lower-case ASCII.*\(got "my load"\)/ },
  { name: "an upper-case drill name", args: (s) => ["validate", "--config", s.config((c) => (c.drills.PITR = c.drills["postgres-pitr"]))], code: 2, line: /drills\.PITR: must be lower-case ASCII.*\(got "PITR"\)/ },
  { name: "__proto__ as a suite key", args: (s) => ["validate", "--config", s.rawConfig(JSON.stringify(shipped).replace('"suites":{', '"suites":{"__proto__":{"steps":[{"scenario":"smoke"}]},'))], code: 2, line: /suites\.__proto__: '__proto__' cannot be a name or key/ },
  { name: "constructor as a step's profile", args: (s) => ["validate", "--config", s.config((c) => (c.suites.nightly.steps[1].profile = "constructor"))], code: 2, line: /suites\.nightly\.steps\.1\.profile: unknown profile 'constructor'/ },
  { name: "toString as a suite's profile", args: (s) => ["validate", "--config", s.config((c) => (c.suites.nightly.profile = "toString"))], code: 2, line: /suites\.nightly\.profile: unknown profile 'toString'/ },
  { name: "constructor as the default environment", args: (s) => ["run", "smoke", "--config", s.config((c) => (c.defaultEnvironment = "constructor"))], code: 2, line: /defaultEnvironment: unknown environment 'constructor'/ },
  { name: "an unknown scenario in a suite", args: (s) => ["validate", "--config", s.config((c) => (c.suites.nightly.steps[0].scenario = "checkout"))], code: 2, line: /suites\.nightly\.steps\.0\.scenario: unknown scenario 'checkout'/ },
  { name: "an SLO override for an unknown endpoint", args: (s) => ["validate", "--config", s.config((c) => (c.environments.local.slo = { checkout: { latencyP95Ms: 100 } }))], code: 2, line: /environments\.local\.slo\.checkout: unknown endpoint 'checkout'/ },
  { name: "a token variable that is not a variable name", args: (s) => ["validate", "--config", s.config((c) => (c.environments.local.auth = { bearerTokenEnv: "my token" }))], code: 2, line: /environments\.local\.auth\.bearerTokenEnv: must be an environment variable name \(got "my token"\)/ },
  { name: "a token variable that is not set", args: (s) => ["run", "smoke", "--config", s.config((c) => (c.environments.local.auth = { bearerTokenEnv: "BULWARK_CORPUS_UNSET" }))], code: 2, line: /BULWARK_CORPUS_UNSET is not set/ },
  { name: "a base URL with a password that is not a URL", args: (s) => ["validate", "--config", s.config((c) => (c.environments.prod = { baseUrl: `http://admin:${urlPassword}@exa mple.test` }))], code: 2, line: /environments\.prod\.baseUrl: .*\(got "http:\/\/exa mple\.test"\)/ },
];

// ---------------------------------------------------------------- --out and the history
const pathCases: CliCase[] = [
  { name: "--out under /proc", args: () => ["run", "smoke", "--out", "/proc/self/bulwark-reports"], code: 2, line: /--out: "\/proc\/self\/bulwark-reports" is on the \/proc pseudo-filesystem/ },
  { name: "--out /proc itself for a gate", args: () => ["gate", "nightly", "--out", "/proc"], code: 2, line: /--out: "\/proc" is on the \/proc pseudo-filesystem/ },
  { name: "--out under /sys", args: () => ["run", "smoke", "--out", "/sys/kernel/bulwark"], code: 2, line: /--out: "\/sys\/kernel\/bulwark" is on the \/sys pseudo-filesystem/ },
  { name: "--out /dev/null", args: () => ["run", "smoke", "--out", "/dev/null"], code: 2, line: /--out: "\/dev\/null" is on the \/dev pseudo-filesystem/ },
  { name: "--out through a symlink to /proc", args: (s) => (symlinkSync("/proc/self", join(s.root, "to-proc")), ["run", "smoke", "--out", join(s.root, "to-proc", "reports")]), code: 2, line: /--out: ".*to-proc\/reports" leads to the \/proc pseudo-filesystem/ },
  { name: "--out that is a file", args: (s) => ["run", "smoke", "--out", s.file()], code: 2, line: /--out: ".*a-file" is a file, not a directory/ },
  { name: "--out inside a file", args: (s) => ["gate", "nightly", "--out", join(s.file(), "reports")], code: 2, line: /--out: cannot create ".*a-file\/reports": .*a-file is a file, not a directory/ },
  { name: "an empty --out", args: () => ["run", "smoke", "--out", ""], code: 2, line: /--out: "" is empty/ },
  { name: "BULWARK_REPORTS_DIR under /proc is named", args: () => ["run", "smoke"], env: () => ({ BULWARK_REPORTS_DIR: "/proc/bulwark" }), noOut: true, code: 2, line: /^bulwark: BULWARK_REPORTS_DIR=\/proc\/bulwark: "\/proc\/bulwark" is on the \/proc pseudo-filesystem/ },
  { name: "--history under /proc", args: () => ["gate", "nightly", "--history", "/proc/self/history"], code: 2, line: /--history: "\/proc\/self\/history" is on the \/proc pseudo-filesystem/ },
  { name: "BULWARK_HISTORY_DIR that is a file is named", args: () => ["gate", "nightly"], env: (s) => ({ BULWARK_HISTORY_DIR: s.file() }), code: 2, line: /^bulwark: BULWARK_HISTORY_DIR=.*a-file: ".*a-file" is a file, not a directory/ },
  { name: "a history backend bulwark does not know", args: () => ["gate", "nightly", "--history", "s3://bucket/history"], code: 2, line: /--history: unknown history backend 's3:\/\/'/ },
];

// ---------------------------------------------------------------- secrets (exit 3: the target is unreachable)
const secretCases: CliCase[] = [
  { name: "a password in --target that is not a URL", args: () => ["run", "smoke", "--target", `http://admin:${urlPassword}@bad host`], code: 2, line: /--target: 'http:\/\/bad host' is not a URL/ },
  { name: "a password in an unreachable --target", args: () => ["run", "smoke", "--target", `http://admin:${urlPassword}@127.0.0.1:9`], code: 3, line: /target unreachable at preflight/ },
  { name: "a password in an unreachable BULWARK_TARGET", args: () => ["run", "smoke"], env: () => ({ BULWARK_TARGET: `http://admin:${urlPassword}@127.0.0.1:9` }), code: 3, line: /target unreachable at preflight/ },
  { name: "a password in an environment's base URL, target unreachable", args: (s) => ["run", "smoke", "--env", "staging", "--config", s.config((c) => (c.environments.staging = { baseUrl: `http://admin:${urlPassword}@127.0.0.1:9` }))], code: 3, line: /target unreachable at preflight/ },
  { name: "a bearer token from the environment, target unreachable", args: (s) => ["run", "smoke", "--env", "staging", "--config", s.config((c) => (c.environments.staging = { baseUrl: "http://127.0.0.1:9", auth: { bearerTokenEnv: "BULWARK_CORPUS_TOKEN" } }))], code: 3, line: /target unreachable at preflight/ },
  { name: "a password in the base URL and a bearer token too", args: (s) => ["run", "smoke", "--env", "staging", "--config", s.config((c) => (c.environments.staging = { baseUrl: `http://admin:${urlPassword}@127.0.0.1:9`, auth: { bearerTokenEnv: "BULWARK_CORPUS_TOKEN" } }))], code: 2, line: /environments\.staging\.baseUrl: carries credentials/ },
];

const allCliCases = [...cliCases, ...configCases, ...pathCases, ...secretCases];

describe("bad-input corpus: the CLI", () => {
  it.each(allCliCases.map((testCase) => [testCase.name, testCase] as const))("%s", async (_, testCase) => {
    await expectContract(testCase);
  });
});

// ---------------------------------------------------------------- loads that must pass, with secrets around
describe("bad-input corpus: loads on a healthy demo target", () => {
  let target: RunningDemoTarget;
  beforeAll(async () => {
    target = await startDemoTarget(noFaults);
  });
  afterAll(async () => {
    await target?.stop();
  });

  it("errorRate 0 (no errors allowed) passes on a healthy demo target", async () => {
    const sandbox = makeSandbox();
    const config = sandbox.config((c) => {
      c.slo.critical.errorRate = 0;
      c.slo.standard.errorRate = 0;
    });
    const { code, stderr } = await runBulwark(["run", "smoke", "--config", config, "--out", sandbox.out], cleanEnvironment({}), join(sandbox.root, "cwd"));
    expect(code, stderr).toBe(0);
    expect(stderr).not.toMatch(stackTrace);
  });

  it("a password in the target URL appears in no output and no file of the run", async () => {
    const sandbox = makeSandbox();
    const url = new URL(target.baseUrl);
    url.username = "admin";
    url.password = urlPassword;
    const { code, stdout, stderr } = await runBulwark(["run", "smoke", "--target", url.href, "--out", sandbox.out, "--json"], cleanEnvironment({}), join(sandbox.root, "cwd"));
    expect(code, stderr).toBe(0);
    expect(stdout + stderr).not.toContain(urlPassword);
    const files = filesWithText(sandbox.out);
    expect(files.length).toBeGreaterThan(3);
    for (const text of files) expect(text).not.toContain(urlPassword);
  });
});

// ---------------------------------------------------------------- scenarios (through the functions, see the header)
describe("bad-input corpus: scenarios are exit 2 naming file:line, before any load", () => {
  let root: string;
  let request: TypeCheckRequest;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "bulwark-corpus-scenarios-"));
    cpSync(repoPath("scenarios"), join(root, "scenarios"), { recursive: true });
    cpSync(repoPath("thresholds"), join(root, "thresholds"), { recursive: true });
    symlinkSync(repoPath("node_modules"), join(root, "node_modules"));
    request = { project: join(root, "scenarios", "tsconfig.json"), root, tsc: repoPath("node_modules", "typescript", "bin", "tsc"), cacheFolder: join(root, "cache") };
  });

  const scenario = (name: string, source: string) => {
    const path = join(root, "scenarios", `${name}.ts`);
    writeFileSync(path, source);
    return path;
  };

  async function expectUsageError(action: () => Promise<unknown>, where: RegExp): Promise<void> {
    const error = await action().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ExitError);
    const exitError = error as ExitError;
    expect(exitError.code).toBe(2);
    expect(exitError.message.split("\n")).toHaveLength(1);
    expect(exitError.message).toMatch(where);
    expect(exitError.message).not.toMatch(stackTrace);
  }

  const bundleInto = () => join(root, "bundles");

  it("a syntax error (bundle)", async () => {
    const path = scenario("syntax-error", 'import http from "k6/http";\nexport default function () {\n  http.get("/"\n}\n');
    await expectUsageError(() => bundleForEngine({ "syntax-error": path }, bundleInto()), /^scenario bundle: .*scenarios\/syntax-error\.ts:4:\d+: /);
  });

  it("a missing package (bundle)", async () => {
    const path = scenario("missing-package", 'import { faker } from "no-such-package-bulwark";\nexport default function () {\n  faker();\n}\n');
    await expectUsageError(() => bundleForEngine({ "missing-package": path }, bundleInto()), /^scenario bundle: .*scenarios\/missing-package\.ts:1:\d+: Could not resolve "no-such-package-bulwark"/);
  });

  it("a missing file (bundle)", async () => {
    const path = scenario("missing-file", 'import { helper } from "./lib/no-such-file.ts";\nexport default function () {\n  helper();\n}\n');
    await expectUsageError(() => bundleForEngine({ "missing-file": path }, bundleInto()), /^scenario bundle: .*scenarios\/missing-file\.ts:1:\d+: Could not resolve "\.\/lib\/no-such-file\.ts"/);
  });

  it("a scenario file that does not exist (bundle)", async () => {
    await expectUsageError(() => bundleForEngine({ gone: join(root, "scenarios", "gone.ts") }, bundleInto()), /^scenario bundle: .*gone\.ts/);
  });

  it("a type error (type check), then a cached check once it is fixed", async () => {
    const smoke = join(root, "scenarios", "smoke.ts");
    const original = readFileSync(smoke, "utf8");
    for (const name of ["syntax-error", "missing-package", "missing-file"]) writeFileSync(join(root, "scenarios", `${name}.ts`), "export {};\n");
    const line = original.trimEnd().split("\n").length + 1;
    writeFileSync(smoke, `${original.trimEnd()}\nexport const corpusRate: number = "fast";\n`);
    await expectUsageError(() => typeCheckScenarios(request), new RegExp(`^scenario type check: scenarios/smoke\\.ts:${line}:\\d+: TS2322 Type 'string' is not assignable to type 'number'`));
    writeFileSync(smoke, original);
    expect(await typeCheckScenarios(request)).toBe("checked");
    expect(await typeCheckScenarios(request)).toBe("cached");
  });

  it("the repository's own scenarios pass the type check", async () => {
    expect(["checked", "cached"]).toContain(await typeCheckScenarios({ project: repoPath("scenarios", "tsconfig.json"), root: repoRoot, tsc: request.tsc, cacheFolder: join(root, "repo-cache") }));
  });
});

// ---------------------------------------------------------------- a bug: one line, the stack in a log file
describe("bad-input corpus: an unexpected error", () => {
  it("prints one line pointing at a log file with the stack, never the stack itself", () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    const cache = mkdtempSync(join(tmpdir(), "bulwark-corpus-cache-"));
    const previous = process.env.BULWARK_CACHE_DIR;
    process.env.BULWARK_CACHE_DIR = cache;
    let code: number;
    try {
      code = reportInternalError(new TypeError(`cannot read properties of undefined (http://admin:${urlPassword}@example.test)`), ["run", "smoke"]);
    } finally {
      spy.mockRestore();
      if (previous === undefined) delete process.env.BULWARK_CACHE_DIR;
      else process.env.BULWARK_CACHE_DIR = previous;
    }
    expect(code).toBe(70);
    const output = written.join("");
    expect(output.trim().split("\n")).toHaveLength(1);
    expect(output).toMatch(/^bulwark: internal error: cannot read properties of undefined .*stack trace in .*\.log/);
    expect(output).not.toMatch(stackTrace);
    expect(output).not.toContain(urlPassword);
    const log = /stack trace in (\S+\.log)/.exec(output)?.[1] ?? "";
    expect(log.startsWith(join(cache, "logs"))).toBe(true);
    const logText = readFileSync(log, "utf8");
    expect(logText).toMatch(stackTrace);
    expect(logText).not.toContain(urlPassword);
  });
});

