// Entry point of the demo target process: `node dist/demo-target.mjs --port 0 --host 127.0.0.1 [--fault ...]`.
// Prints one line `listening on http://HOST:PORT` on stdout once it accepts connections.
import { parseArgs } from "node:util";
import { createDemoServer } from "./server.ts";
import { parseDemoFaults } from "./faults.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    host: { type: "string", default: "127.0.0.1" },
    fault: { type: "string", multiple: true, default: [] },
    "exit-with-stdin": { type: "boolean", default: false },
  },
  strict: true,
});

const faults = parseDemoFaults(values.fault ?? []);
if ("error" in faults) {
  process.stderr.write(`demo-target: ${faults.error}\n`);
  process.exit(2);
}
const server = createDemoServer(faults);
server.keepAliveTimeout = 65_000;
server.listen(Number(values.port), values.host, () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : Number(values.port);
  const host = values.host?.includes(":") ? `[${values.host}]` : values.host;
  process.stdout.write(`listening on http://${host}:${port}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
if (values["exit-with-stdin"]) {
  // The parent holds our stdin open; when it dies, even by SIGKILL, stdin ends and so do we.
  process.stdin.on("end", () => process.exit(0));
  process.stdin.resume();
}
