import { formatDuration } from "./output.ts";

/**
 * Prints "elapsed / remaining" for a long step: a self-rewriting line on a terminal, a line every
 * 10 seconds in CI logs.
 */
export function startProgress(label: string, plannedMs: number, write: (text: string) => void = (text) => process.stderr.write(text)): () => void {
  const interactive = process.stderr.isTTY === true;
  const started = Date.now();
  const render = () => {
    const elapsed = Date.now() - started;
    const remaining = Math.max(0, plannedMs - elapsed);
    return `  ${label}: ${formatDuration(elapsed)} elapsed, ~${formatDuration(remaining)} remaining`;
  };
  const timer = setInterval(() => write(interactive ? `\r${render()}\u001b[K` : `${render()}\n`), interactive ? 1000 : 10_000);
  timer.unref();
  return () => {
    clearInterval(timer);
    if (interactive) write("\r\u001b[K");
  };
}
