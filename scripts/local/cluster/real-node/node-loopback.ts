// A loopback server of this host made reachable on the real node's own 127.0.0.1, at the same port, for
// the node's host-network pods (bulwark's runner pods): a listener inside the node's network namespace
// forwards each connection through a Unix socket to the server on the host. Nothing leaves loopback or
// the namespace the run created. The bridge exits when bulwark closes it or dies (its stdin ends), and its
// socket lives in the node's run folder, so `down` and the next `up` remove a leftover one.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { ToolingError } from "../../../core/errors.ts";
import { realNodePaths } from "./layout.ts";
import type { RealNodeNetwork } from "./network.ts";

const bridgeSource = `
const net = require("node:net");
const [socketPath, port] = process.argv.slice(1);
const server = net.createServer((client) => {
  const upstream = net.connect(socketPath);
  client.pipe(upstream);
  upstream.pipe(client);
  client.on("error", () => upstream.destroy());
  upstream.on("error", () => client.destroy());
  client.on("close", () => upstream.destroy());
  upstream.on("close", () => client.destroy());
});
server.on("error", (error) => { process.stdout.write("error " + (error.code || error.message) + "\\n"); process.exit(1); });
server.listen(Number(port), "127.0.0.1", () => process.stdout.write("listening\\n"));
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
process.stdin.resume();
`;

/** Where the host-side server of a bridged port listens. */
export function nodeLoopbackSocket(port: number): string {
  return join(realNodePaths.runDir(), "fronts", `${port}.sock`);
}

export async function prepareSocketFolder(): Promise<void> {
  await mkdir(join(realNodePaths.runDir(), "fronts"), { recursive: true });
}

export class PortTakenOnNode extends ToolingError {}

export interface NodeLoopbackBridge {
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1:<port> inside the node's namespace and forwards to `socketPath` (a server the
 * caller runs). PortTakenOnNode when something in the namespace already has that port.
 */
export async function bridgeToNodeLoopback(network: RealNodeNetwork, port: number, socketPath: string): Promise<NodeLoopbackBridge> {
  const child: ChildProcess = spawn("nsenter", [`--net=${network.netnsPath}`, process.execPath, "-e", bridgeSource, socketPath, String(port)], { stdio: ["pipe", "pipe", "pipe"] });
  child.stdin?.on("error", () => {});
  let output = "";
  const answer = await new Promise<string>((resolve) => {
    const timer = setTimeout(() => resolve("error no answer within 10 s"), 10_000);
    const settle = (line: string) => {
      clearTimeout(timer);
      resolve(line);
    };
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split("\n")[0] ?? "";
      if (output.includes("\n")) settle(line);
    });
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", (error) => settle(`error ${error.message}`));
    child.on("exit", (code) => settle(`error exited with code ${code}: ${output.trim()}`));
  });
  if (answer !== "listening") {
    child.kill("SIGKILL");
    if (answer === "error EADDRINUSE") throw new PortTakenOnNode(`real node: port ${port} is taken on the node's loopback`);
    throw new ToolingError(`real node: the loopback bridge into ${network.netns} did not start: ${answer}`);
  }
  return {
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.stdin?.end();
        const timer = setTimeout(() => child.kill("SIGKILL"), 2_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(socketPath, { force: true });
    },
  };
}
