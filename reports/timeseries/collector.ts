import { closeSync, constants, createReadStream, openSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exec } from "../../scripts/core/exec.ts";
import { cameWithin } from "../../scripts/core/wait-for.ts";
import { writeFileAtomic } from "../../scripts/core/write-atomic.ts";
import { RequestSampleRecorder, type RequestSamples } from "../../scripts/core/request-samples.ts";
import { K6JsonLineReader, type SampleSink } from "./k6-json-lines.ts";
import { collectedMetrics, PerSecondAggregator, type AggregatorOptions } from "./per-second-aggregator.ts";
import type { TimeSeries } from "./timeseries-schema.ts";

export interface MetricStreamCollector {
  /** Arguments to add to `bulwark-engine run`. */
  engineArgs: string[];
  /** Where finish() writes the time series. */
  outputPath: string;
  /** Call once the engine has exited, whatever its exit code: drains the stream and writes outputPath. */
  finish(): Promise<TimeSeries>;
  /** Every request's samples so far, when the collector was created with recordRequests (empty otherwise); complete after finish(). */
  requests(): RequestSamples;
}

export interface CollectorOptions extends AggregatorOptions {
  /** Step name for runs with several load steps: the file becomes timeseries-<step>.json. */
  step?: string;
  /** Also keep every request's time, duration and failure (for judging phases of the load). */
  recordRequests?: boolean;
}

/** Hands every sample to the aggregator and the request recorder. */
class RecordingSink implements SampleSink {
  constructor(
    private readonly aggregator: PerSecondAggregator,
    private readonly recorder: RequestSampleRecorder,
  ) {}
  add(metric: string, second: number, value: number, endpoint: string | null, timeMs: number): void {
    this.aggregator.add(metric, second, value, endpoint);
    this.recorder.add(metric, timeMs, value, endpoint);
  }
  skip(): void {
    this.aggregator.skip();
  }
  countMalformed(): void {
    this.aggregator.countMalformed();
  }
}

const readChunkBytes = 1 << 20;

export const timeSeriesFileName = (step?: string): string => (step ? `timeseries-${step.replace(/[^A-Za-z0-9._-]/g, "_")}.json` : "timeseries.json");

/**
 * Collects the engine's metric stream while it runs. The engine writes its JSON lines into a named pipe
 * that is read and aggregated as they come, so a long soak leaves no multi-gigabyte file behind. Where
 * mkfifo is not available, the engine writes a temporary file that is aggregated after the run and deleted.
 */
export async function createMetricStreamCollector(runDir: string, options: CollectorOptions = {}): Promise<MetricStreamCollector> {
  const workDir = await mkdtemp(join(tmpdir(), "bulwark-metrics-"));
  const streamPath = join(workDir, "engine-samples.ndjson");
  const outputPath = join(runDir, timeSeriesFileName(options.step));
  const aggregator = new PerSecondAggregator(options);
  const recorder = new RequestSampleRecorder();
  const sink: SampleSink = options.recordRequests ? new RecordingSink(aggregator, recorder) : aggregator;
  const isPipe = (await exec("mkfifo", ["-m", "600", streamPath]).catch(() => null))?.code === 0;

  let drained: Promise<void> | null = null;
  let ended = false;
  if (isPipe) {
    drained = readInto(streamPath, sink).finally(() => (ended = true));
    // A read error must not leave the promise unobserved before finish() awaits it.
    drained.catch(() => {});
  }

  return {
    // Only the metrics the time series uses: the engine writes no lines nobody reads.
    engineArgs: ["--out", `json=${streamPath}`, "--out-metrics", [...collectedMetrics].join(",")],
    outputPath,
    async finish() {
      try {
        if (isPipe && drained) {
          await releaseWaitingReader(streamPath, () => ended);
          await drained;
        } else {
          await readInto(streamPath, sink).catch((error: NodeJS.ErrnoException) => {
            if (error.code !== "ENOENT") throw error;
          });
        }
        const series = aggregator.finish();
        await writeFileAtomic(outputPath, JSON.stringify(series) + "\n");
        return series;
      } finally {
        await rm(workDir, { recursive: true, force: true });
      }
    },
    requests: () => recorder.finish(),
  };
}

/** Aggregates a recorded k6 JSON output file (or a pipe) into a time series. */
export async function aggregateK6Json(path: string, options: AggregatorOptions = {}): Promise<TimeSeries> {
  const aggregator = new PerSecondAggregator(options);
  await readInto(path, aggregator);
  return aggregator.finish();
}

function readInto(path: string, sink: SampleSink): Promise<void> {
  const reader = new K6JsonLineReader(sink);
  return new Promise((resolve, reject) => {
    const stream = createReadStream(path, { highWaterMark: readChunkBytes });
    let failure: unknown = null;
    stream.on("data", (chunk) => {
      // After a failure the stream is still drained, so that k6 never blocks writing into a full pipe.
      if (failure !== null) return;
      try {
        reader.write(chunk as Buffer);
      } catch (error) {
        failure = error;
      }
    });
    stream.on("error", reject);
    stream.on("end", () => {
      if (failure !== null) return reject(failure);
      reader.end();
      resolve();
    });
  });
}

/**
 * If k6 never opened the pipe (it failed before its outputs started), our reader is still blocked in
 * open(2). Opening the pipe for writing without blocking, then closing it, hands the reader an empty
 * stream. It may take a few tries when the reader's own open has not been issued yet.
 */
async function releaseWaitingReader(path: string, hasEnded: () => boolean): Promise<void> {
  const released = () => {
    if (hasEnded()) return true;
    try {
      closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
      return true;
    } catch {
      // ENXIO: no reader has the pipe open yet (or any more); wait and look again.
      return false;
    }
  };
  await cameWithin(released, { timeoutMs: 10_000, intervalMs: 50, description: `a reader on ${path}` });
}
