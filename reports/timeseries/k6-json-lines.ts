import { collectedMetrics } from "./per-second-aggregator.ts";

/** Where the reader hands the samples: the per-second aggregator, and a request recorder when a kind asks. */
export interface SampleSink {
  /** `second`: the Unix second of the sample's time; `timeMs`: the same time in Unix milliseconds. */
  add(metric: string, second: number, value: number, endpoint: string | null, timeMs: number): void;
  skip(): void;
  countMalformed(): void;
}

/**
 * Reads k6's JSON output (`k6 run --out json=...`), one JSON object per line:
 *   {"metric":"http_req_duration","type":"Point","data":{"time":"...","value":1.2,"tags":{"endpoint":"x",...}}}
 *   {"type":"Metric","data":{...},"metric":"http_reqs"}
 * JSON.parse on every line, or even decoding every byte into a string, would cap throughput well below
 * a million samples per second. So Point lines in k6's own layout are read by position straight from
 * the bytes: most lines are metrics the time series does not use and are recognised and skipped
 * without making a single string. Anything unusual (escapes, another key order) goes to JSON.parse.
 */
const ascii = (text: string): Buffer => Buffer.from(text, "latin1");
const pointPrefix = ascii('{"metric":"');
const pointMiddle = ascii('","type":"Point","data":{"time":"');
const valueKey = ascii('"value":');
const endpointKey = ascii('"endpoint":"');

const quote = 0x22;
const backslash = 0x5c;
const newline = 0x0a;

/** The collected metric names as bytes, by length, to recognise a name without making a string. */
const collectedByLength: { name: string; bytes: Buffer }[][] = [];
for (const name of collectedMetrics) (collectedByLength[name.length] ??= []).push({ name, bytes: ascii(name) });

function matchesAt(bytes: Buffer, at: number, end: number, pattern: Buffer): boolean {
  if (at + pattern.length > end) return false;
  for (let i = 0; i < pattern.length; i++) if (bytes[at + i] !== pattern[i]) return false;
  return true;
}

function indexWithin(bytes: Buffer, from: number, end: number, pattern: Buffer): number {
  const first = pattern[0];
  for (let at = from; at + pattern.length <= end; at++) if (bytes[at] === first && matchesAt(bytes, at, end, pattern)) return at;
  return -1;
}

/** Decimal numbers as Go prints them; anything else (an exponent) goes through Number(). */
function parseNumber(bytes: Buffer, start: number, end: number): number {
  let at = start;
  const negative = bytes[at] === 0x2d;
  if (negative) at++;
  let value = 0;
  let digits = 0;
  while (at < end && isDigit(bytes[at]!)) {
    value = value * 10 + (bytes[at]! - 48);
    at++;
    digits++;
  }
  if (at < end && bytes[at] === 0x2e) {
    at++;
    let scale = 1;
    let fraction = 0;
    while (at < end && isDigit(bytes[at]!)) {
      fraction = fraction * 10 + (bytes[at]! - 48);
      scale *= 10;
      at++;
    }
    value += fraction / scale;
  }
  if (at !== end || digits === 0) return Number(bytes.toString("latin1", start, end) || "NaN");
  return negative ? -value : value;
}

interface KnownEndpoint {
  bytes: Buffer;
  name: string;
}

/** Endpoint tag values seen so far; a run has a handful, so a short list beats making a string per line. */
const maxKnownEndpoints = 64;

export class K6JsonLineReader {
  private remainder: Buffer | null = null;
  private readonly cachedPrefix = Buffer.alloc(19);
  private cachedPrefixValid = false;
  private cachedZone: Buffer = Buffer.alloc(0);
  private cachedSecond = 0;
  private readonly knownEndpoints: KnownEndpoint[] = [];

  constructor(private readonly sink: SampleSink) {}

  write(chunk: Buffer | string): void {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    let start = 0;
    if (this.remainder !== null) {
      // Only the line cut by the previous chunk is copied, not the whole chunk.
      const firstNewline = bytes.indexOf(newline);
      if (firstNewline === -1) {
        this.remainder = Buffer.concat([this.remainder, bytes]);
        return;
      }
      const joined = Buffer.concat([this.remainder, bytes.subarray(0, firstNewline)]);
      this.remainder = null;
      if (joined.length > 0) this.line(joined, 0, joined.length);
      start = firstNewline + 1;
    }
    let next = bytes.indexOf(newline, start);
    while (next !== -1) {
      if (next > start) this.line(bytes, start, next);
      start = next + 1;
      next = bytes.indexOf(newline, start);
    }
    // A copy: keeping a view would pin the whole chunk in memory.
    if (start < bytes.length) this.remainder = Buffer.from(bytes.subarray(start));
  }

  end(): void {
    const rest = this.remainder;
    this.remainder = null;
    if (rest !== null && rest.toString("latin1").trim().length > 0) this.line(rest, 0, rest.length);
  }

  private line(bytes: Buffer, start: number, end: number): void {
    if (matchesAt(bytes, start, end, pointPrefix) && this.fastPoint(bytes, start, end)) return;
    this.slowLine(bytes.toString("utf8", start, end));
  }

  /** Reads a Point line laid out the way k6 writes it; returns false to fall back to JSON.parse. */
  private fastPoint(bytes: Buffer, start: number, end: number): boolean {
    const nameStart = start + pointPrefix.length;
    let nameEnd = nameStart;
    while (nameEnd < end && bytes[nameEnd] !== quote) nameEnd++;
    if (!matchesAt(bytes, nameEnd, end, pointMiddle)) return false;
    const metric = this.collectedMetric(bytes, nameStart, nameEnd);
    if (metric === null) {
      this.sink.skip();
      return true;
    }
    const timeStart = nameEnd + pointMiddle.length;
    let timeEnd = timeStart;
    while (timeEnd < end && bytes[timeEnd] !== quote) timeEnd++;
    if (timeEnd >= end) return false;
    const second = this.unixSecond(bytes, timeStart, timeEnd);
    if (second === null) return false;
    // After the time: '",' then "value":
    if (!matchesAt(bytes, timeEnd + 2, end, valueKey)) return false;
    const valueStart = timeEnd + 2 + valueKey.length;
    let valueEnd = valueStart;
    while (valueEnd < end && bytes[valueEnd] !== 0x2c && bytes[valueEnd] !== 0x7d) valueEnd++;
    const value = parseNumber(bytes, valueStart, valueEnd);
    if (Number.isNaN(value)) return false;
    let endpoint: string | null = null;
    const keyAt = indexWithin(bytes, valueEnd, end, endpointKey);
    if (keyAt !== -1) {
      const endpointStart = keyAt + endpointKey.length;
      let endpointEnd = endpointStart;
      while (endpointEnd < end && bytes[endpointEnd] !== quote) {
        // An escaped character needs real JSON decoding.
        if (bytes[endpointEnd] === backslash) return false;
        endpointEnd++;
      }
      if (endpointEnd >= end) return false;
      endpoint = this.endpointName(bytes, endpointStart, endpointEnd);
    }
    this.sink.add(metric, second, value, endpoint, second * 1000 + fractionMs(bytes, timeStart + 19, timeEnd));
    return true;
  }

  private collectedMetric(bytes: Buffer, start: number, end: number): string | null {
    const candidates = collectedByLength[end - start];
    if (candidates === undefined) return null;
    for (const candidate of candidates) if (matchesAt(bytes, start, end, candidate.bytes)) return candidate.name;
    return null;
  }

  private endpointName(bytes: Buffer, start: number, end: number): string {
    const length = end - start;
    for (const known of this.knownEndpoints) {
      if (known.bytes.length === length && bytes[end - 1] === known.bytes[length - 1] && matchesAt(bytes, start, end, known.bytes)) return known.name;
    }
    const name = bytes.toString("utf8", start, end);
    if (this.knownEndpoints.length < maxKnownEndpoints) this.knownEndpoints.push({ bytes: Buffer.from(bytes.subarray(start, end)), name });
    return name;
  }

  /**
   * Unix second of an RFC 3339 timestamp such as 2026-11-22T01:52:29.560862621Z or ...29.5+01:00.
   * Consecutive samples share their second, so the parse is cached on the text without the fraction.
   */
  private unixSecond(bytes: Buffer, start: number, end: number): number | null {
    if (end - start < 20 || bytes[start + 10] !== 0x54 /* T */ || bytes[start + 16] !== 0x3a /* : */) return null;
    let zoneStart = start + 19;
    if (bytes[zoneStart] === 0x2e /* . */) {
      zoneStart++;
      while (zoneStart < end && isDigit(bytes[zoneStart]!)) zoneStart++;
    }
    if (this.cachedPrefixValid && end - zoneStart === this.cachedZone.length && matchesAt(bytes, zoneStart, end, this.cachedZone)) {
      // The seconds change first: compare from the end.
      let same = true;
      for (let i = 18; i >= 0; i--) {
        if (bytes[start + i] !== this.cachedPrefix[i]) {
          same = false;
          break;
        }
      }
      if (same) return this.cachedSecond;
    }
    const ms = Date.parse(bytes.toString("latin1", start, start + 19) + bytes.toString("latin1", zoneStart, end));
    if (Number.isNaN(ms)) return null;
    bytes.copy(this.cachedPrefix, 0, start, start + 19);
    this.cachedZone = Buffer.from(bytes.subarray(zoneStart, end));
    this.cachedPrefixValid = true;
    this.cachedSecond = Math.floor(ms / 1000);
    return this.cachedSecond;
  }

  private slowLine(line: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      this.sink.countMalformed();
      return;
    }
    if (!isRecord(parsed)) return this.sink.countMalformed();
    if (parsed.type === "Metric") return;
    const data = parsed.data;
    if (parsed.type !== "Point" || typeof parsed.metric !== "string" || !isRecord(data)) return this.sink.countMalformed();
    const time = typeof data.time === "string" && rfc3339.test(data.time) ? Date.parse(data.time) : Number.NaN;
    if (Number.isNaN(time) || typeof data.value !== "number") return this.sink.countMalformed();
    const tags = isRecord(data.tags) ? data.tags : {};
    const endpoint = typeof tags.endpoint === "string" ? tags.endpoint : null;
    this.sink.add(parsed.metric, Math.floor(time / 1000), data.value, endpoint, time);
  }
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Milliseconds of the fraction that starts at `at` ('.' then digits), e.g. ".560862621" -> 560.862621; 0 without one. */
function fractionMs(bytes: Buffer, at: number, end: number): number {
  if (bytes[at] !== 0x2e) return 0;
  let ms = 0;
  let scale = 100;
  for (let index = at + 1; index < end && isDigit(bytes[index]!); index++) {
    ms += (bytes[index]! - 48) * scale;
    scale /= 10;
  }
  return ms;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
