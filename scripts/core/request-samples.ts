// Every request of a load step, kept so that windows of the load (phases) can be judged exactly after
// the run. Durations and failures arrive as separate engine samples, so they are kept apart.

/** One metric's samples in arrival order: end time (Unix ms), value, endpoint tag (index into `endpoints`). */
export interface SampleColumn {
  count: number;
  timeMs: Float64Array;
  value: Float64Array;
  endpointIndex: Int32Array;
}

export interface RequestSamples {
  /** Endpoint tag values; -1 in endpointIndex means a request without an endpoint tag. */
  endpoints: string[];
  /** http_req_duration in ms. */
  durations: SampleColumn;
  /** http_req_failed: 1 failed, 0 succeeded. */
  failures: SampleColumn;
  /** Samples not kept because the recorder's cap was reached (the phases then say so). */
  dropped: number;
}

/** Grows typed arrays as samples come; `cap` bounds memory (24 bytes a sample). */
export class SampleColumnBuilder {
  private timeMs = new Float64Array(1024);
  private value = new Float64Array(1024);
  private endpointIndex = new Int32Array(1024);
  count = 0;

  add(timeMs: number, value: number, endpointIndex: number): void {
    if (this.count === this.timeMs.length) this.grow();
    this.timeMs[this.count] = timeMs;
    this.value[this.count] = value;
    this.endpointIndex[this.count] = endpointIndex;
    this.count += 1;
  }

  build(): SampleColumn {
    return { count: this.count, timeMs: this.timeMs.subarray(0, this.count), value: this.value.subarray(0, this.count), endpointIndex: this.endpointIndex.subarray(0, this.count) };
  }

  private grow(): void {
    const size = this.timeMs.length * 2;
    const timeMs = new Float64Array(size);
    timeMs.set(this.timeMs);
    const value = new Float64Array(size);
    value.set(this.value);
    const endpointIndex = new Int32Array(size);
    endpointIndex.set(this.endpointIndex);
    [this.timeMs, this.value, this.endpointIndex] = [timeMs, value, endpointIndex];
  }
}

/** Collects request samples up to a cap (default 20 million samples, about 480 MB). */
export class RequestSampleRecorder {
  private readonly endpointIndexes = new Map<string, number>();
  private readonly endpoints: string[] = [];
  private readonly durations = new SampleColumnBuilder();
  private readonly failures = new SampleColumnBuilder();
  private dropped = 0;

  constructor(private readonly cap = 20_000_000) {}

  add(metric: string, timeMs: number, value: number, endpoint: string | null): void {
    const column = metric === "http_req_duration" ? this.durations : metric === "http_req_failed" ? this.failures : null;
    if (!column) return;
    if (this.durations.count + this.failures.count >= this.cap) {
      this.dropped += 1;
      return;
    }
    column.add(timeMs, value, this.indexOf(endpoint));
  }

  finish(): RequestSamples {
    return { endpoints: [...this.endpoints], durations: this.durations.build(), failures: this.failures.build(), dropped: this.dropped };
  }

  private indexOf(endpoint: string | null): number {
    if (endpoint === null) return -1;
    let index = this.endpointIndexes.get(endpoint);
    if (index === undefined) {
      index = this.endpoints.length;
      this.endpoints.push(endpoint);
      this.endpointIndexes.set(endpoint, index);
    }
    return index;
  }
}

export const noRequestSamples = (): RequestSamples => new RequestSampleRecorder().finish();
