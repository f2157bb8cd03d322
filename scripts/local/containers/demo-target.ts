import { Wait, type StartedTestContainer } from "testcontainers";
import { resolveImage } from "./images.ts";
import { LoopbackContainer } from "./testcontainers.ts";

export const demoTargetPort = 8080;

export interface StartedDemoTarget extends AsyncDisposable {
  container: StartedTestContainer;
  /** http://127.0.0.1:<published port> */
  url: string;
  stop(): Promise<void>;
}

/** Starts the demo target image (built by `bulwark local up --containers`) and waits for GET /health. */
export async function startDemoTarget(options: { args?: string[] } = {}): Promise<StartedDemoTarget> {
  let container = new LoopbackContainer(resolveImage("demo-target").reference)
    .withExposedPorts(demoTargetPort)
    .withWaitStrategy(Wait.forHttp("/health", demoTargetPort).forStatusCode(200))
    .withStartupTimeout(60_000);
  if (options.args) container = container.withCommand(["--port", String(demoTargetPort), "--host", "0.0.0.0", ...options.args]);
  const started = await container.start();
  const stop = async () => {
    await started.stop({ remove: true, removeVolumes: true });
  };
  return {
    container: started,
    url: `http://${started.getHost()}:${started.getMappedPort(demoTargetPort)}`,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
