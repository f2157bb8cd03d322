import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { ShopTarget } from "../support/shop-target.ts";
import { runCli, temporaryReportsRoot, type CliResult } from "../support/run-cli.ts";

const config = repoPath("test", "fixtures", "external-target.config.json");
const user = "tester";
/** Has a character the URL must percent-encode, so both spellings are looked for. */
const password = "p@ss-s3cret-7f3a";
const encodedPassword = encodeURIComponent(password);
const basic = Buffer.from(`${user}:${password}`).toString("base64");
const token = "tok-s3cret-41c9e2";

const base64 = (text: string) => Buffer.from(text).toString("base64");
/** Every form in which a leaked secret would show: as written, percent-encoded, in base64. */
const leakForms = (secret: string): string[] => [secret, encodeURIComponent(secret), base64(secret), base64(`${user}:${secret}`)];

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Where a secret shows: in which file of the run folder, or in stdout / stderr. */
function leaks(secret: string, reportsRoot: string | undefined, result: CliResult): string[] {
  const places: [string, string][] = [
    ["stdout", result.stdout],
    ["stderr", result.stderr],
    ...(reportsRoot ? filesUnder(reportsRoot).map((file): [string, string] => [file, readFileSync(file, "latin1")]) : []),
  ];
  return places.flatMap(([place, text]) => leakForms(secret).filter((form) => text.includes(form)).map((form) => `${form} in ${place}`));
}

let target: ShopTarget | undefined;
afterEach(async () => {
  await target?.close();
  target = undefined;
});

const withCredentials = (url: string) => url.replace("http://", `http://${user}:${encodedPassword}@`);

describe("no secret on disk or in the output (real engine)", () => {
  it("a run with credentials in --target uses them and writes or prints them nowhere", async () => {
    target = await ShopTarget.start((request) => request.headers.authorization === `Basic ${basic}`);
    const reports = temporaryReportsRoot();
    const result = await runCli(["run", "smoke", "--config", config, "--env", "external", "--target", withCredentials(target.url), "--out", reports, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const arrivals = target.arrivals();
    expect(arrivals.filter((arrival) => arrival.path.startsWith("/api/")).length).toBeGreaterThan(10);
    expect(arrivals.map((arrival) => arrival.path)).toContain("/health");
    expect(arrivals.filter((arrival) => arrival.refused)).toEqual([]);
    expect(filesUnder(reports).some((file) => file.endsWith("smoke.plan.json"))).toBe(true);
    expect(leaks(password, reports, result)).toEqual([]);
    expect(result.stdout).toContain(`"target": "${target.url}"`);
  });

  it("a run with credentials in the environment's baseUrl uses them and writes or prints them nowhere", async () => {
    target = await ShopTarget.start((request) => request.headers.authorization === `Basic ${basic}`);
    const configDir = mkdtempSync(join(tmpdir(), "bulwark-config-"));
    const withUrl = JSON.parse(readFileSync(config, "utf8")) as { environments: Record<string, { baseUrl: string }> };
    withUrl.environments.external!.baseUrl = withCredentials(target.url);
    writeFileSync(join(configDir, "bulwark.config.json"), JSON.stringify(withUrl));
    const reports = temporaryReportsRoot();
    const result = await runCli(["gate", "long-gate", "--profile", "smoke", "--config", join(configDir, "bulwark.config.json"), "--env", "external", "--out", reports]);
    expect(result.code, result.stderr).toBe(0);
    expect(target.arrivals().filter((arrival) => arrival.refused)).toEqual([]);
    expect(leaks(password, reports, result)).toEqual([]);
  });

  it("a run with the environment's bearer token uses it and writes or prints it nowhere", async () => {
    target = await ShopTarget.start((request) => request.headers.authorization === `Bearer ${token}`);
    const reports = temporaryReportsRoot();
    const result = await runCli(["run", "smoke", "--config", config, "--env", "external-bearer", "--target", target.url, "--out", reports, "--json"], { BULWARK_TEST_TOKEN: token });
    expect(result.code, result.stderr).toBe(0);
    expect(target.arrivals().filter((arrival) => arrival.path.startsWith("/api/")).length).toBeGreaterThan(10);
    expect(target.arrivals().filter((arrival) => arrival.refused)).toEqual([]);
    expect(leaks(token, reports, result)).toEqual([]);
  });

  it("a preflight failure with a credentialed URL (target down) prints one line without the password", async () => {
    const reports = temporaryReportsRoot();
    const result = await runCli(["run", "smoke", "--config", config, "--env", "external", "--target", `http://${user}:${encodedPassword}@127.0.0.1:1`, "--out", reports]);
    expect(result.code).toBe(3);
    expect(result.stderr.trim().split("\n")).toEqual(["bulwark: target unreachable at preflight: GET http://127.0.0.1:1/health failed (ECONNREFUSED)"]);
    expect(leaks(password, reports, result)).toEqual([]);
  });

  it("a preflight refused with wrong credentials prints one line without them", async () => {
    target = await ShopTarget.start((request) => request.headers.authorization === `Basic ${base64(`${user}:another`)}`);
    const result = await runCli(["run", "smoke", "--config", config, "--env", "external", "--target", withCredentials(target.url), "--out", temporaryReportsRoot()]);
    expect(result.code).toBe(3);
    expect(result.stderr.trim().split("\n")).toEqual([`bulwark: target unhealthy at preflight: GET ${target.url}/health answered HTTP 401`]);
    expect(target.arrivals().map((arrival) => [arrival.path, arrival.refused])).toEqual([["/health", true]]);
    expect(leaks(password, undefined, result)).toEqual([]);
  });

  it("URL credentials and a bearer token for one target are bad input, named without the secret", async () => {
    const result = await runCli(["run", "smoke", "--config", config, "--env", "external-bearer", "--target", `http://${user}:${encodedPassword}@127.0.0.1:1`, "--out", temporaryReportsRoot()], { BULWARK_TEST_TOKEN: token });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toEqual([
      "bulwark: --target: carries credentials, and environments.external-bearer.auth.bearerTokenEnv gives a bearer token too: keep one of them",
    ]);
    expect([...leaks(password, undefined, result), ...leaks(token, undefined, result)]).toEqual([]);
  });
});
