import { parseDuration } from "../../thresholds/duration.ts";

/** Fault knobs of the demo target, so people can watch a gate fail. */
export interface DemoFaults {
  /** Added to every /api response. */
  latencyMs: number;
  /** Share of /api requests answered with HTTP 500, spread evenly (deterministic, not random). */
  errorRate: number;
}

export const noFaults: DemoFaults = { latencyMs: 0, errorRate: 0 };

/** Parses `latency=300ms`, `errors=5%`, or both separated by commas; several specs combine. */
export function parseDemoFaults(specs: readonly string[]): DemoFaults | { error: string } {
  const faults = { ...noFaults };
  for (const part of specs.flatMap((spec) => spec.split(",")).map((text) => text.trim()).filter(Boolean)) {
    const [key, value = ""] = part.split("=", 2).map((text) => text.trim());
    if (key === "latency") {
      const ms = parseDuration(value);
      if (ms === null || ms < 0) return { error: `--demo-fault latency: '${value}' is not a duration such as 300ms` };
      faults.latencyMs = ms;
    } else if (key === "errors") {
      const match = /^(\d+(?:\.\d+)?)%$/.exec(value);
      const percent = match ? Number(match[1]) : NaN;
      if (!(percent >= 0 && percent <= 100)) return { error: `--demo-fault errors: '${value}' is not a percentage such as 5%` };
      faults.errorRate = percent / 100;
    } else {
      return { error: `--demo-fault: unknown fault '${key}' (known: latency=<duration>, errors=<percent>)` };
    }
  }
  return faults;
}

export function formatDemoFaults(faults: DemoFaults): string[] {
  const args: string[] = [];
  if (faults.latencyMs > 0) args.push(`latency=${faults.latencyMs}ms`);
  if (faults.errorRate > 0) args.push(`errors=${faults.errorRate * 100}%`);
  return args;
}

/**
 * Fails `rate` of the calls, evenly spaced and starting early: at 5 % the 10th, 30th, 50th ... call fails,
 * so even a short smoke run sees the fault.
 */
export function createErrorSchedule(rate: number): () => boolean {
  let calls = 0;
  const failuresAfter = (count: number) => Math.floor(count * rate + 0.5);
  return () => {
    calls += 1;
    return failuresAfter(calls) > failuresAfter(calls - 1);
  };
}
