import { collectedMetrics, type PerSecondAggregator } from "./per-second-aggregator.ts";

/**
 * Reads k6's JSON output (`k6 run --out json=...`), one JSON object per line:
 *   {"metric":"http_req_duration","type":"Point","data":{"time":"...","value":1.2,"tags":{"endpoint":"x",...}}}
 *   {"type":"Metric","data":{...},"metric":"http_reqs"}
 * JSON.parse on every line would cap throughput well below a million samples per second, so Point lines
 * in k6's own layout are read by position; anything else goes through JSON.parse.
 *
 * Bytes are read as Latin-1 (one byte, one character: a copy, no decoding) because nearly every byte
 * is ASCII; the few strings kept that hold other bytes are decoded as UTF-8 on their own. A newline
 * byte never occurs inside a multi-byte UTF-8 character, so lines split correctly either way.
 */
const pointPrefix = '{"metric":"';
const pointMiddle = '","type":"Point","data":{"time":"';
const valueKey = '"value":';
const endpointKey = '"endpoint":"';

export class K6JsonLineReader {
  private remainder = "";
  private cachedPrefix = "";
  private cachedZone = "";
  private cachedSecond = 0;

  constructor(private readonly sink: PerSecondAggregator) {}

  write(chunk: Buffer | string): void {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    const text = this.remainder + bytes.toString("latin1");
    let start = 0;
    let newline = text.indexOf("\n", start);
    while (newline !== -1) {
      if (newline > start) this.line(text, start, newline);
      start = newline + 1;
      newline = text.indexOf("\n", start);
    }
    this.remainder = start === 0 ? text : text.slice(start);
  }

  end(): void {
    const text = this.remainder;
    this.remainder = "";
    if (text.trim().length > 0) this.line(text, 0, text.length);
  }

  private line(text: string, start: number, end: number): void {
    if (text.startsWith(pointPrefix, start) && this.fastPoint(text, start, end)) return;
    this.slowLine(text.slice(start, end));
  }

  /** Reads a Point line laid out the way k6 writes it; returns false to fall back to JSON.parse. */
  private fastPoint(text: string, start: number, end: number): boolean {
    const nameStart = start + pointPrefix.length;
    const nameEnd = text.indexOf('"', nameStart);
    if (nameEnd === -1 || nameEnd > end || !text.startsWith(pointMiddle, nameEnd)) return false;
    const metric = text.slice(nameStart, nameEnd);
    if (!collectedMetrics.has(metric)) {
      this.sink.skip();
      return true;
    }
    const timeStart = nameEnd + pointMiddle.length;
    const timeEnd = text.indexOf('"', timeStart);
    if (timeEnd === -1 || timeEnd > end) return false;
    const second = this.unixSecond(text, timeStart, timeEnd);
    if (second === null) return false;
    const valueStart = timeEnd + 2 + valueKey.length;
    if (!text.startsWith(valueKey, timeEnd + 2)) return false;
    let valueEnd = valueStart;
    while (valueEnd < end && text.charCodeAt(valueEnd) !== 44 /* , */ && text.charCodeAt(valueEnd) !== 125 /* } */) valueEnd++;
    const value = Number(text.slice(valueStart, valueEnd));
    if (Number.isNaN(value)) return false;
    let endpoint: string | null = null;
    const rest = text.slice(valueEnd, end);
    const endpointAt = rest.indexOf(endpointKey);
    if (endpointAt !== -1) {
      const endpointStart = endpointAt + endpointKey.length;
      const endpointEnd = rest.indexOf('"', endpointStart);
      if (endpointEnd === -1) return false;
      endpoint = utf8(rest.slice(endpointStart, endpointEnd));
      // An escaped character needs real JSON decoding.
      if (endpoint.includes("\\")) return false;
    }
    this.sink.add(metric, second, value, endpoint);
    return true;
  }

  /**
   * Unix second of an RFC 3339 timestamp such as 2026-11-22T01:52:29.560862621Z or ...29.5+01:00.
   * Consecutive samples share their second, so the parse is cached on the text without the fraction.
   */
  private unixSecond(text: string, start: number, end: number): number | null {
    if (end - start < 20 || text.charCodeAt(start + 10) !== 84 /* T */ || text.charCodeAt(start + 16) !== 58 /* : */) return null;
    let zoneStart = start + 19;
    if (text.charCodeAt(zoneStart) === 46 /* . */) {
      zoneStart++;
      while (zoneStart < end && isDigit(text.charCodeAt(zoneStart))) zoneStart++;
    }
    if (
      this.cachedPrefix !== "" &&
      text.startsWith(this.cachedPrefix, start) &&
      end - zoneStart === this.cachedZone.length &&
      text.startsWith(this.cachedZone, zoneStart)
    ) {
      return this.cachedSecond;
    }
    const prefix = text.slice(start, start + 19);
    const zone = text.slice(zoneStart, end);
    const ms = Date.parse(prefix + zone);
    if (Number.isNaN(ms)) return null;
    this.cachedPrefix = prefix;
    this.cachedZone = zone;
    this.cachedSecond = Math.floor(ms / 1000);
    return this.cachedSecond;
  }

  private slowLine(line: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(utf8(line));
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
    this.sink.add(parsed.metric, Math.floor(time / 1000), data.value, endpoint);
  }
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const nonAscii = /[^\x00-\x7f]/;

/** A string read as Latin-1 back to the UTF-8 text it encodes (most are ASCII and come back as they are). */
function utf8(latin1: string): string {
  return nonAscii.test(latin1) ? Buffer.from(latin1, "latin1").toString("utf8") : latin1;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
