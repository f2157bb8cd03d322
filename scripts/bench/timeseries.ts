/**
 * Benchmark of the streaming aggregation of the load engine's metric stream (reports/timeseries/).
 *
 *   npm run bench:timeseries -- [--samples N] [--endpoints N] [--file samples.json] [--soak-hours H] [--json]
 *
 * Without --file it synthesises a stream in the JSON-lines layout the engine writes (k6's, docs/engine.md)
 * and k6's mix: per one-request iteration the nine http_req* Points and the four iteration Points, plus a vus gauge every second, at
 * 1 000 requests per second of simulated time (10 million samples = about 13 minutes of such a run).
 * Only the time spent inside the aggregator is counted: generating the text is not. Wall time and CPU
 * time are both reported; on a shared machine the CPU figure is the steadier one.
 * With --file it reads a recorded `bulwark-engine run --out json=...` file from disk, end to end.
 */
import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { K6JsonLineReader, PerSecondAggregator, aggregateK6Json } from "../../reports/timeseries/index.ts";

const { values } = parseArgs({
  options: {
    samples: { type: "string", default: "10000000" },
    endpoints: { type: "string", default: "8" },
    file: { type: "string" },
    "soak-hours": { type: "string" },
    json: { type: "boolean", default: false },
  },
});

let peakRss = process.memoryUsage().rss;
const watchMemory = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);

interface Result {
  mode: "synthetic" | "file";
  samples: number;
  seconds: number;
  samplesPerSecond: number;
  /** CPU time of the process (all threads, GC included) while aggregating: steadier than wall time on a busy machine. */
  cpuSeconds: number;
  samplesPerCpuSecond: number;
  peakRssMb: number;
  simulatedSeconds: number;
  endpoints: number;
}

async function benchFile(path: string): Promise<Result> {
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const series = await aggregateK6Json(path);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  return finishResult("file", series.samples.processed, seconds, (cpu.user + cpu.system) / 1e6, series.time.length, series.endpoints.length);
}

function benchSynthetic(totalSamples: number, endpointCount: number): Result {
  const aggregator = new PerSecondAggregator();
  const reader = new K6JsonLineReader(aggregator);
  const endpoints = Array.from({ length: endpointCount }, (_, i) => `endpoint-${i}`);
  const requestsPerSecond = 1000;
  const start = Date.UTC(2026, 0, 1);
  let random = 12345;
  const nextRandom = () => (random = (random * 1103515245 + 12345) % 2147483648) / 2147483648;

  let generated = 0;
  let request = 0;
  let busyNs = 0n;
  let busyCpuMicros = 0;
  const measure = (work: () => void) => {
    const cpuBefore = process.cpuUsage();
    const before = process.hrtime.bigint();
    work();
    busyNs += process.hrtime.bigint() - before;
    const cpu = process.cpuUsage(cpuBefore);
    busyCpuMicros += cpu.user + cpu.system;
  };
  const chunkLines: string[] = [];
  let chunkBytes = 0;
  const flush = () => {
    const chunk = Buffer.from(chunkLines.join(""));
    chunkLines.length = 0;
    chunkBytes = 0;
    measure(() => reader.write(chunk));
  };
  while (generated < totalSamples) {
    const timeMs = start + (request * 1000) / requestsPerSecond;
    const time = new Date(timeMs).toISOString().replace("Z", `${String(request % 1000).padStart(3, "0")}123Z`);
    const endpoint = endpoints[request % endpoints.length]!;
    const failed = nextRandom() < 0.002;
    const duration = 5 + 40 * nextRandom() ** 3 + (request % 997 === 0 ? 400 : 0);
    const status = failed ? 500 : 200;
    const tags = `{"endpoint":"${endpoint}","expected_response":"${!failed}","group":"","method":"GET","name":"/api/${endpoint}/{id}","proto":"HTTP/1.1","scenario":"load","status":"${status}","tls_version":"","url":"http://127.0.0.1:8080/api/${endpoint}/${request % 100}"}`;
    const iterationTags = `{"group":"","scenario":"load"}`;
    const point = (metric: string, value: number | string, pointTags = tags) => `{"metric":"${metric}","type":"Point","data":{"time":"${time}","value":${value},"tags":${pointTags}}}\n`;
    // What k6 v1 writes for one iteration of one request: nine http_req* Points, then four per iteration.
    chunkLines.push(
      point("http_reqs", 1),
      point("http_req_duration", duration.toFixed(6)),
      point("http_req_blocked", "0.004213"),
      point("http_req_connecting", 0),
      point("http_req_tls_handshaking", 0),
      point("http_req_sending", "0.021334"),
      point("http_req_waiting", (duration * 0.95).toFixed(6)),
      point("http_req_receiving", "0.042511"),
      point("http_req_failed", failed ? 1 : 0),
      point("data_sent", 112, iterationTags),
      point("data_received", 987, iterationTags),
      point("iteration_duration", (duration + 0.3).toFixed(6), iterationTags),
      point("iterations", 1, iterationTags),
    );
    generated += 13;
    if (request % requestsPerSecond === 0) {
      chunkLines.push(`{"metric":"vus","type":"Point","data":{"time":"${time}","value":${20 + (request % 7)},"tags":{}}}\n`);
      generated += 1;
    }
    chunkBytes += 13 * 330;
    request += 1;
    if (chunkBytes >= 1 << 20) flush();
  }
  flush();
  let series: ReturnType<PerSecondAggregator["finish"]> | undefined;
  measure(() => {
    reader.end();
    series = aggregator.finish();
  });
  return finishResult("synthetic", series!.samples.processed, Number(busyNs) / 1e9, busyCpuMicros / 1e6, series!.time.length, series!.endpoints.length);
}

function finishResult(mode: Result["mode"], samples: number, seconds: number, cpuSeconds: number, simulatedSeconds: number, endpoints: number): Result {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  return {
    mode,
    samples,
    seconds: round(seconds),
    samplesPerSecond: Math.round(samples / seconds),
    cpuSeconds: round(cpuSeconds),
    samplesPerCpuSecond: Math.round(samples / cpuSeconds),
    peakRssMb: round(peakRss / 2 ** 20),
    simulatedSeconds,
    endpoints,
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * What a long soak costs in memory: the per-second numbers kept until the end grow with the run's
 * length (never with its number of samples). Feeds a few samples per endpoint and second for the
 * given number of hours and reports the heap kept and the size of timeseries.json.
 */
function benchSoakMemory(hours: number, endpointCount: number): void {
  // Garbage must not count as kept: collect before each reading.
  setFlagsFromString("--expose-gc");
  const collectGarbage = runInNewContext("gc") as () => void;
  collectGarbage();
  const aggregator = new PerSecondAggregator();
  const endpoints = Array.from({ length: endpointCount }, (_, i) => `endpoint-${i}`);
  const start = Date.UTC(2026, 0, 1) / 1000;
  const heapBefore = process.memoryUsage().heapUsed;
  for (let second = 0; second < hours * 3600; second++) {
    for (const endpoint of endpoints) {
      aggregator.add("http_reqs", start + second, 1, endpoint);
      aggregator.add("http_req_duration", start + second, 10 + (second % 7), endpoint);
    }
  }
  collectGarbage();
  const heapKeptMb = round((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20);
  const fileMb = round(JSON.stringify(aggregator.finish()).length / 2 ** 20);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const result = { mode: "soak-memory", hours, endpoints: endpointCount, heapKeptMb, timeseriesJsonMb: fileMb, peakRssMb: round(peakRss / 2 ** 20) };
  process.stdout.write(values.json ? JSON.stringify(result, null, 2) + "\n" : `soak of ${hours} h, ${endpointCount} endpoints: ${heapKeptMb} MB of per-second numbers kept, timeseries.json ${fileMb} MB, peak RSS ${result.peakRssMb} MB\n`);
}

if (values["soak-hours"]) {
  benchSoakMemory(Number(values["soak-hours"]), Number(values.endpoints));
  clearInterval(watchMemory);
  process.exit(0);
}

const result = values.file ? await benchFile(values.file) : benchSynthetic(Number(values.samples), Number(values.endpoints));
clearInterval(watchMemory);
if (values.json) {
  process.stdout.write(JSON.stringify(result, null, 2) + "\n");
} else {
  process.stdout.write(
    `timeseries aggregation (${result.mode}): ${result.samples.toLocaleString("en")} samples in ${result.seconds} s = ` +
      `${result.samplesPerSecond.toLocaleString("en")} samples/s wall, ${result.samplesPerCpuSecond.toLocaleString("en")} samples per CPU-second; peak RSS ${result.peakRssMb} MB; ` +
      `${result.simulatedSeconds} s of run time, ${result.endpoints} endpoints\n`,
  );
}
