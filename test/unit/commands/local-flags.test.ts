// `bulwark local` refuses flags that do not go with its action before it touches anything: the estate
// modules are replaced by ones that fail the test when called, so a regression cannot start or stop the
// shared estate.
import { describe, expect, it, vi } from "vitest";
import { ExitError } from "../../../scripts/core/errors.ts";
import { localCommand } from "../../../scripts/commands/local.ts";
import { parseCommandArgs } from "../../../scripts/commands/command.ts";

const untouchable = () => {
  throw new Error("the estate was touched");
};
const estate = { up: untouchable, down: untouchable, status: untouchable, kubeconfigPath: untouchable, formatStatus: untouchable };
vi.mock("../../../scripts/local/containers/index.ts", () => estate);
vi.mock("../../../scripts/local/cluster/index.ts", () => estate);
vi.mock("../../../scripts/local/monitoring/index.ts", () => estate);

async function refusal(argv: string[]): Promise<string> {
  const run = async () => localCommand.run({ ...parseCommandArgs(localCommand, argv), abortSignal: new AbortController().signal });
  const error = await run().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, argv.join(" ")).toBeInstanceOf(ExitError);
  expect((error as ExitError).code).toBe(2);
  return (error as ExitError).message;
}

describe("local: flags that do not go with the action", () => {
  it.each([
    [["up", "--json"], "local up: --json only goes with status"],
    [["down", "--json"], "local down: --json only goes with status"],
    [["down", "--monitoring", "--json"], "local down: --json only goes with status"],
    [["kubeconfig", "--json"], "local kubeconfig: --json only goes with status"],
    [["kubeconfig", "--cluster"], "local kubeconfig: takes no part flag (it prints the test cluster's kubeconfig path)"],
    [["down", "--real-node"], "local down: --real-node only goes with up (down and status cover the real node too)"],
    [["up", "--monitoring", "--real-node"], "local up: --real-node needs the cluster (drop --containers or add --cluster)"],
    [["down\nnow"], "local: expected one of up|down|status|kubeconfig, got 'down\\nnow'"],
    [["down", "now"], "local down: unexpected argument 'now'"],
  ])("local %j", async (argv, message) => {
    expect(await refusal(argv)).toBe(message);
  });
});

describe("repeated flags", () => {
  it("the same value twice is one flag; two values are ambiguous (exit 2 naming both)", () => {
    expect(parseCommandArgs(localCommand, ["status", "--json", "--json"]).flags.json).toBe(true);
    const error = (() => {
      try {
        parseCommandArgs({ ...localCommand, options: { env: { type: "string" } } }, ["status", "--env", "staging", "--env", "prod"]);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ExitError);
    expect((error as ExitError).message).toBe("local: --env given twice with different values ('staging' and 'prod')");
  });
});
