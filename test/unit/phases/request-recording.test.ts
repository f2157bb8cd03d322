import { describe, expect, it } from "vitest";
import { K6JsonLineReader, PerSecondAggregator, type SampleSink } from "../../../reports/timeseries/index.ts";
import { RequestSampleRecorder } from "../../../scripts/core/request-samples.ts";
import { requestLines } from "../reports/k6-lines.ts";

/** Feeds lines to a sink that records every request, as the collector does for phase judgement. */
function record(lines: string[]) {
  const recorder = new RequestSampleRecorder();
  const aggregator = new PerSecondAggregator();
  const sink: SampleSink = {
    add: (metric, second, value, endpoint, timeMs) => {
      aggregator.add(metric, second, value, endpoint);
      recorder.add(metric, timeMs, value, endpoint);
    },
    skip: () => aggregator.skip(),
    countMalformed: () => aggregator.countMalformed(),
  };
  const reader = new K6JsonLineReader(sink);
  reader.write(Buffer.from(lines.join("\n") + "\n"));
  reader.end();
  return recorder.finish();
}

describe("recording every request of a load", () => {
  it("keeps each request's end time to the millisecond, its duration, failure and endpoint", () => {
    const start = Date.UTC(2026, 11, 1, 5, 0, 0, 0);
    // The lines carry microseconds after the milliseconds ("...123456Z"): .250123456 s is 250.123456 ms.
    const lines = [...requestLines(new Date(start + 250), "list-items", 12.5), ...requestLines(new Date(start + 1999), "create-order", 300, true)];
    const samples = record(lines);
    expect(samples.endpoints).toEqual(["list-items", "create-order"]);
    expect(samples.durations.count).toBe(2);
    expect(samples.durations.timeMs[0]).toBeCloseTo(start + 250.123456, 6);
    expect(samples.durations.timeMs[1]).toBeCloseTo(start + 1999.123456, 6);
    expect([...samples.durations.value]).toEqual([12.5, 300]);
    expect([...samples.failures.value]).toEqual([0, 1]);
    expect([...samples.failures.endpointIndex]).toEqual([0, 1]);
  });

  it("reads the same times from lines the fast path cannot take (JSON.parse)", () => {
    const start = Date.UTC(2026, 11, 1, 5, 0, 0, 0);
    const line = JSON.stringify({ type: "Point", metric: "http_req_duration", data: { value: 7, time: new Date(start + 42).toISOString(), tags: { endpoint: "get-item" } } });
    const samples = record([line]);
    expect(samples.durations.timeMs[0]).toBe(start + 42);
  });

  it("stops keeping samples at its cap and counts what it dropped", () => {
    const recorder = new RequestSampleRecorder(3);
    for (let index = 0; index < 5; index++) recorder.add("http_req_duration", index, 1, null);
    const samples = recorder.finish();
    expect(samples.durations.count).toBe(3);
    expect(samples.dropped).toBe(2);
  });
});
