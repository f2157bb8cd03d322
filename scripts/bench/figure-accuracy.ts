import type { EngineSummaryData } from "../kinds/load/engine-summary.ts";
import { startDemoTarget } from "../demo-target/launch.ts";
import { say } from "../core/output.ts";
import { runBulwark, type BulwarkRun } from "./bulwark-cli.ts";
import type { RusageTool } from "./process.ts";
import { median } from "./stats.ts";
import { runWrk } from "./wrk.ts";

export interface EndpointLatency {
  endpoint: string;
  minMs: number | null;
  p50Ms: number;
  p95Ms: number;
}

export interface Accuracy {
  command: string;
  injectedMs: number;
  /** One entry per trial with the fault, each with every endpoint of the scenario. */
  withFault: EndpointLatency[][];
  /** The same run without the fault: the service's own time, which the fault adds to. */
  withoutFault: EndpointLatency[];
  /** (e): median over trials and endpoints of the reported p95 (and p50) with the fault. */
  reportedP95Ms: number | null;
  reportedP50Ms: number | null;
  /** reported p95 minus the injected latency. */
  p95ExcessMs: number | null;
  /** The same without the fault, for comparison with the excess. */
  baselineP95Ms: number | null;
  /** Lowest latency reported with the fault: close to the injected value, never far below it. */
  lowestMinMs: number | null;
  /**
   * An independent second opinion: wrk's percentiles on the same faulted target at a similar request
   * rate (two connections), so that a tail above the injected value can be told apart from an engine error.
   */
  wrkLatencyMs: Record<string, number> | null;
}

/** Two closed-loop connections at ~50 ms each give about the 40 requests/s the local load profile sends. */
const wrkConnections = 2;
const wrkSeconds = 10;

function latencies(result: BulwarkRun): EndpointLatency[] {
  const step = result.summary.steps[0];
  const data: EngineSummaryData | undefined = step ? result.engineData[step.name] : undefined;
  return (step?.endpoints ?? []).flatMap((endpoint) =>
    endpoint.latencyMs
      ? [{ endpoint: endpoint.name, minMs: data?.metrics[`http_req_duration{endpoint:${endpoint.name}}`]?.values.min ?? null, p50Ms: endpoint.latencyMs.p50, p95Ms: endpoint.latencyMs.p95 }]
      : [],
  );
}

/** (e) The demo target with a fixed injected latency under the local `load` profile: reported p95 against it. */
export async function measureAccuracy(trials: number, injectedMs: number, wrk: string | null, rusage: RusageTool): Promise<Accuracy> {
  const args = ["run", "browse-catalog", "--profile", "load"];
  const withFault: EndpointLatency[][] = [];
  for (let trial = 0; trial < trials; trial += 1) {
    say(`bench: (e) trial ${trial + 1}/${trials}: bulwark ${args.join(" ")} --demo-fault latency=${injectedMs}ms`);
    withFault.push(latencies(await runBulwark([...args, "--demo-fault", `latency=${injectedMs}ms`], { timeoutMs: 300_000 })));
  }
  say(`bench: (e) baseline: bulwark ${args.join(" ")} without a fault`);
  const withoutFault = latencies(await runBulwark(args, { timeoutMs: 300_000 }));
  let wrkLatencyMs: Record<string, number> | null = null;
  if (wrk) {
    say(`bench: (e) wrk --latency, ${wrkConnections} connections, ${wrkSeconds}s, on a demo target with latency=${injectedMs}ms`);
    const demo = await startDemoTarget({ latencyMs: injectedMs, errorRate: 0 });
    try {
      wrkLatencyMs = (await runWrk(wrk, rusage, `${demo.baseUrl}/api/items`, wrkConnections, 1, wrkSeconds)).latencyMs;
    } finally {
      await demo.stop();
    }
  }
  const reportedP95Ms = median(withFault.flat().map((e) => e.p95Ms));
  const mins = withFault.flat().flatMap((e) => (e.minMs === null ? [] : [e.minMs]));
  return {
    command: `bulwark ${args.join(" ")} --demo-fault latency=${injectedMs}ms`,
    injectedMs,
    withFault,
    withoutFault,
    reportedP95Ms,
    reportedP50Ms: median(withFault.flat().map((e) => e.p50Ms)),
    p95ExcessMs: reportedP95Ms === null ? null : reportedP95Ms - injectedMs,
    baselineP95Ms: median(withoutFault.map((e) => e.p95Ms)),
    lowestMinMs: mins.length > 0 ? Math.min(...mins) : null,
    wrkLatencyMs,
  };
}
