import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { K6JsonLineReader, PerSecondAggregator, createMetricStreamCollector, timeSeriesSchema } from "../../../reports/timeseries/index.ts";
import { metricLine, pointLine, requestLines } from "./k6-lines.ts";

const t0 = Date.UTC(2026, 10, 22, 1, 0, 0);
const at = (seconds: number) => new Date(t0 + seconds * 1000);

function aggregate(lines: string[], chunkSize = 997) {
  const aggregator = new PerSecondAggregator();
  const reader = new K6JsonLineReader(aggregator);
  const text = lines.join("\n") + "\n";
  // Odd chunk sizes split lines (and multi-byte characters) at arbitrary places, as a pipe does.
  const bytes = Buffer.from(text);
  for (let offset = 0; offset < bytes.length; offset += chunkSize) reader.write(bytes.subarray(offset, offset + chunkSize));
  reader.end();
  return aggregator.finish();
}

describe("k6 metric stream aggregation", () => {
  it("builds per-second, per-endpoint requests, failures and latency percentiles", () => {
    const lines = [metricLine("http_reqs", "counter"), metricLine("http_req_duration", "trend")];
    for (let i = 1; i <= 100; i++) lines.push(...requestLines(new Date(t0 + i * 5), "list-items", i, i > 98));
    for (let i = 1; i <= 10; i++) lines.push(...requestLines(new Date(t0 + 1000 + i), "get-item", 50));
    lines.push(pointLine("vus", at(0), 3), pointLine("vus", at(1), 5), pointLine("dropped_iterations", at(1), 2, { scenario: "default" }));

    const series = timeSeriesSchema.parse(aggregate(lines));
    expect(series.time).toEqual([t0 / 1000, t0 / 1000 + 1]);
    expect(series.overall.requests).toEqual([100, 10]);
    expect(series.overall.failures).toEqual([2, 0]);
    expect(series.overall.vus).toEqual([3, 5]);
    expect(series.overall.droppedIterations).toEqual([0, 2]);
    expect(series.endpoints.map((endpoint) => endpoint.name)).toEqual(["get-item", "list-items"]);
    const list = series.endpoints[1]!;
    expect(list.requests).toEqual([100, 0]);
    expect(list.latencyMs.p95[0]).toBeCloseTo(95, 0);
    expect(list.latencyMs.p50[0]).toBeCloseTo(50, 0);
    expect(list.latencyMs.max[0]).toBe(100);
    expect(list.latencyMs.p95[1]).toBeNull();
    expect(series.endpoints[0]!.latencyMs.p99[1]).toBeCloseTo(50, 0);
    expect(series.samples.processed).toBe(110 * 5 + 3);
    expect(series.samples.malformed).toBe(0);
  });

  it("reads Point lines in another key order or with escapes the same way as k6's own layout", () => {
    const fast = aggregate([...requestLines(at(0), "a", 10), ...requestLines(at(0), "a", 20)]);
    const reordered = [10, 20].flatMap((value) => [
      JSON.stringify({ type: "Point", data: { value: 1, tags: { endpoint: "a" }, time: at(0).toISOString() }, metric: "http_reqs" }),
      JSON.stringify({ type: "Point", metric: "http_req_duration", data: { tags: { endpoint: "a" }, value, time: at(0).toISOString() } }),
      JSON.stringify({ type: "Point", metric: "http_req_failed", data: { tags: { endpoint: "a" }, value: 0, time: at(0).toISOString() } }),
    ]);
    const slow = aggregate(reordered);
    expect(slow.endpoints).toEqual(fast.endpoints);
    const escaped = aggregate([pointLine("http_reqs", at(0), 1, { endpoint: 'odd"name' })]);
    expect(escaped.endpoints[0]!.name).toBe('odd"name');
    // Multi-byte UTF-8 split across chunks at every possible place.
    const lines = Array.from({ length: 40 }, () => pointLine("http_reqs", at(0), 1, { endpoint: "bücher-é", name: "ßtraße" }));
    for (const chunkSize of [1, 2, 3, 7]) expect(aggregate(lines, chunkSize).endpoints.map((endpoint) => [endpoint.name, endpoint.requests[0]])).toEqual([["bücher-é", 40]]);
  });

  it("gives exactly what JSON.parse of every line gives, on a long mixed stream", () => {
    let state = 99;
    const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    const metrics = ["http_reqs", "http_req_duration", "http_req_failed", "http_req_blocked", "http_req_receiving", "data_sent", "iterations", "vus", "dropped_iterations"];
    const endpoints = ["list-items", "get-item", "create-order", "ünïcode", "x"];
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const metric = metrics[Math.floor(random() * metrics.length)]!;
      const tags: Record<string, string> = random() < 0.9 ? { criticality: "critical", endpoint: endpoints[i % endpoints.length]!, status: "200" } : { scenario: "default" };
      const value = metric === "http_req_duration" ? [random() * 300, 1e-7 * random(), Math.round(random() * 50), 123456.789][i % 4]! : metric === "http_req_failed" ? Number(random() < 0.1) : 1;
      lines.push(pointLine(metric, new Date(t0 + i * 7 + Math.floor(random() * 1500)), value, tags));
    }
    const reference = new PerSecondAggregator();
    for (const line of lines) {
      const parsed = JSON.parse(line) as { metric: string; data: { time: string; value: number; tags: { endpoint?: string } } };
      reference.add(parsed.metric, Math.floor(Date.parse(parsed.data.time) / 1000), parsed.data.value, parsed.data.tags.endpoint ?? null);
    }
    expect(aggregate(lines, 4093)).toEqual(reference.finish());
  });

  it("counts malformed lines instead of failing, and honours time zone offsets", () => {
    const series = aggregate([
      "not json",
      '{"metric":"http_reqs","type":"Point","data":{"time":"2026-11-22T02:00:00.5+01:00","value":1,"tags":{"endpoint":"x"}}}',
      '{"metric":"http_reqs","type":"Point","data":{"time":"garbage","value":1,"tags":{}}}',
    ]);
    expect(series.samples.malformed).toBe(2);
    expect(series.time).toEqual([t0 / 1000]);
    expect(series.overall.requests).toEqual([1]);
  });

  it("accepts samples out of order within the lateness window and counts later ones as late", () => {
    const lines = [...requestLines(at(1), "a", 10), ...requestLines(at(0), "a", 30), ...requestLines(at(20), "a", 10), ...requestLines(at(0), "a", 99)];
    const series = aggregate(lines);
    expect(series.time.length).toBe(21);
    expect(series.overall.requests[0]).toBe(2);
    expect(series.overall.latencyMs.max[0]).toBe(30);
    expect(series.samples.late).toBe(1);
    expect(series.overall.requests.slice(2, 20).every((count) => count === 0)).toBe(true);
    expect(series.overall.latencyMs.p50[5]).toBeNull();
  });

  it("keeps its memory bounded: histograms are reused, not kept per second", () => {
    const aggregator = new PerSecondAggregator();
    for (let second = 0; second < 3600; second++) {
      for (let i = 0; i < 20; i++) {
        aggregator.add("http_req_duration", t0 / 1000 + second, 10 + i, "a");
        aggregator.add("http_reqs", t0 / 1000 + second, 1, "a");
      }
    }
    const pool = (aggregator as unknown as { histogramPool: unknown[]; open: Map<number, unknown> });
    expect(pool.open.size).toBeLessThanOrEqual(6);
    expect(pool.histogramPool.length).toBeLessThanOrEqual(12);
    expect(aggregator.finish().time.length).toBe(3600);
  });
});

describe("createMetricStreamCollector", () => {
  const cleanup: string[] = [];
  afterEach(async () => {
    for (const dir of cleanup.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  async function runDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "bulwark-collector-test-"));
    cleanup.push(dir);
    return dir;
  }

  it("reads what a writer process puts into the --out json path while it runs and writes timeseries.json", async () => {
    const dir = await runDir();
    const source = join(dir, "recorded.ndjson");
    const lines = Array.from({ length: 2000 }, (_, i) => requestLines(new Date(t0 + i), "list-items", 5 + (i % 10))).flat();
    await writeFile(source, lines.join("\n") + "\n");
    const collector = await createMetricStreamCollector(dir, { step: "smoke/1" });
    const [flag, value] = collector.engineArgs;
    expect(flag).toBe("--out");
    const target = value!.replace(/^json=/, "");
    // Stands in for the engine: a separate process that opens the path and writes its stream.
    await new Promise<void>((resolve, reject) => {
      const writer = spawn("sh", ["-c", 'cat "$1" > "$2"', "sh", source, target], { stdio: "ignore" });
      writer.on("error", reject);
      writer.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`writer exited ${code}`))));
    });
    const series = await collector.finish();
    expect(collector.outputPath).toBe(join(dir, "timeseries-smoke_1.json"));
    const written = timeSeriesSchema.parse(JSON.parse(await readFile(collector.outputPath, "utf8")));
    expect(written).toEqual(series);
    expect(series.overall.requests.reduce((a, b) => a + b, 0)).toBe(2000);
    expect(series.samples.processed).toBe(lines.length);
  });

  it("finishes with an empty series when the engine never opened its output (it failed early)", async () => {
    const dir = await runDir();
    const collector = await createMetricStreamCollector(dir);
    const series = await collector.finish();
    expect(series.time).toEqual([]);
    expect(collector.outputPath).toBe(join(dir, "timeseries.json"));
    expect(JSON.parse(await readFile(collector.outputPath, "utf8")).samples.processed).toBe(0);
  });
});
