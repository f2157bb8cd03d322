/**
 * Benchmark of the streaming aggregation of k6's metric stream (reports/timeseries/).
 *
 *   node scripts/bench/build-timeseries.mjs && node dist/bench-timeseries.mjs [--samples N] [--endpoints N] [--file k6.json]
 *
 * Without --file it synthesises a stream in k6 v1's exact JSON layout (five Points per request: http_reqs,
 * http_req_duration, http_req_waiting, http_req_blocked, http_req_failed, plus a vus gauge every second),
 * at 1 000 requests per second of simulated time, so a 10-million-sample stream covers about half an
 * hour of a soak. Only the time spent inside the aggregator is counted: generating the text is not.
 * With --file it reads a recorded `k6 run --out json=...` file from disk, end to end.
 */
import { parseArgs } from "node:util";
import { K6JsonLineReader, PerSecondAggregator, aggregateK6Json } from "../../reports/timeseries/index.ts";

const { values } = parseArgs({
  options: {
    samples: { type: "string", default: "10000000" },
    endpoints: { type: "string", default: "8" },
    file: { type: "string" },
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
  peakRssMb: number;
  simulatedSeconds: number;
  endpoints: number;
}

async function benchFile(path: string): Promise<Result> {
  const started = process.hrtime.bigint();
  const series = await aggregateK6Json(path);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return finishResult("file", series.samples.processed, seconds, series.time.length, series.endpoints.length);
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
  const chunkLines: string[] = [];
  let chunkBytes = 0;
  const flush = () => {
    const chunk = Buffer.from(chunkLines.join(""));
    chunkLines.length = 0;
    chunkBytes = 0;
    const before = process.hrtime.bigint();
    reader.write(chunk);
    busyNs += process.hrtime.bigint() - before;
  };
  while (generated < totalSamples) {
    const timeMs = start + (request * 1000) / requestsPerSecond;
    const time = new Date(timeMs).toISOString().replace("Z", `${String(request % 1000).padStart(3, "0")}123Z`);
    const endpoint = endpoints[request % endpoints.length]!;
    const failed = nextRandom() < 0.002;
    const duration = (5 + 40 * nextRandom() ** 3 + (request % 997 === 0 ? 400 : 0)).toFixed(6);
    const tags = `{"endpoint":"${endpoint}","expected_response":"${!failed}","group":"","method":"GET","name":"/api/${endpoint}/{id}","proto":"HTTP/1.1","scenario":"load","status":"${failed ? 500 : 200}","tls_version":"","url":"http://127.0.0.1:8080/api/${endpoint}/${request % 100}"}`;
    const point = (metric: string, value: string) => `{"metric":"${metric}","type":"Point","data":{"time":"${time}","value":${value},"tags":${tags}}}\n`;
    chunkLines.push(point("http_reqs", "1"), point("http_req_duration", duration), point("http_req_waiting", duration), point("http_req_blocked", "0.004"), point("http_req_failed", failed ? "1" : "0"));
    generated += 5;
    if (request % requestsPerSecond === 0) {
      chunkLines.push(`{"metric":"vus","type":"Point","data":{"time":"${time}","value":${20 + (request % 7)},"tags":{}}}\n`);
      generated += 1;
    }
    chunkBytes += 5 * 400;
    request += 1;
    if (chunkBytes >= 1 << 20) flush();
  }
  flush();
  const before = process.hrtime.bigint();
  reader.end();
  const series = aggregator.finish();
  busyNs += process.hrtime.bigint() - before;
  return finishResult("synthetic", series.samples.processed, Number(busyNs) / 1e9, series.time.length, series.endpoints.length);
}

function finishResult(mode: Result["mode"], samples: number, seconds: number, simulatedSeconds: number, endpoints: number): Result {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  return { mode, samples, seconds: round(seconds), samplesPerSecond: Math.round(samples / seconds), peakRssMb: round(peakRss / 2 ** 20), simulatedSeconds, endpoints };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

const result = values.file ? await benchFile(values.file) : benchSynthetic(Number(values.samples), Number(values.endpoints));
clearInterval(watchMemory);
if (values.json) {
  process.stdout.write(JSON.stringify(result, null, 2) + "\n");
} else {
  process.stdout.write(
    `timeseries aggregation (${result.mode}): ${result.samples.toLocaleString("en")} samples in ${result.seconds} s = ` +
      `${result.samplesPerSecond.toLocaleString("en")} samples/s; peak RSS ${result.peakRssMb} MB; ` +
      `${result.simulatedSeconds} s of run time, ${result.endpoints} endpoints\n`,
  );
}
