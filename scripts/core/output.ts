/** Human output honours NO_COLOR and non-TTY streams; machine output (--json) goes to stdout alone. */
const colorEnabled = !process.env.NO_COLOR && process.stderr.isTTY === true;

const paint = (code: number) => (text: string) => (colorEnabled ? `\u001b[${code}m${text}\u001b[0m` : text);
export const green = paint(32);
export const red = paint(31);
export const yellow = paint(33);
export const bold = paint(1);
export const dim = paint(2);

/** Progress and human text go to stderr so that stdout stays clean for --json. */
export function say(line: string): void {
  process.stderr.write(line + "\n");
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + "\n");
}

export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000));
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return minutes > 0 ? `${minutes}m${String(seconds).padStart(2, "0")}s` : `${seconds}s`;
}

/** A plain-text table: no box drawing, so it reads well in CI logs. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell))));
  return rows.map((row) => row.map((cell, i) => cell + " ".repeat((widths[i] ?? 0) - visibleLength(cell))).join("  ").trimEnd()).join("\n");
}

function visibleLength(text: string): number {
  return text.replace(/\u001b\[[0-9;]*m/g, "").length;
}
