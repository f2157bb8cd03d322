const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const durationPattern = /^(\d+(?:\.\d+)?)(ms|s|m|h)/;

/** Parses k6-style durations ("500ms", "30s", "2m", "1h30m") into milliseconds; null when malformed. */
export function parseDuration(text: string): number | null {
  let rest = text.trim();
  if (rest === "") return null;
  let total = 0;
  while (rest.length > 0) {
    const match = durationPattern.exec(rest);
    if (!match) return null;
    total += Number(match[1]) * unitMs[match[2] as keyof typeof unitMs];
    rest = rest.slice(match[0].length);
  }
  return total;
}

/** Formats milliseconds back into a k6 duration string. */
export function formatK6Duration(ms: number): string {
  if (ms % 1000 !== 0) return `${Math.round(ms)}ms`;
  return `${ms / 1000}s`;
}
