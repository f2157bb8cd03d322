import { readdir, readFile } from "node:fs/promises";

/** What the k6 process of one run cost, read from /proc while it ran. */
export interface K6Usage {
  pid: number;
  /** VmHWM: the peak resident set size, kept by the kernel, so polling cannot miss the peak. */
  peakRssKb: number;
  /** user + system CPU at the last poll (up to one poll interval short of the final figure). */
  cpuSeconds: number;
}

const pollMs = 50;
/** Linux reports CPU times in clock ticks; 100 per second on every mainstream kernel build. */
const ticksPerSecond = 100;

interface ProcStat {
  comm: string;
  ppid: number;
  cpuTicks: number;
}

async function readStat(pid: number): Promise<ProcStat | null> {
  const text = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  if (!text) return null;
  // The command name is in parentheses and may itself contain spaces or parentheses.
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  const fields = text.slice(close + 2).split(" ");
  // fields[0] is field 3 of proc(5): ppid is field 4, utime 14, stime 15.
  return { comm: text.slice(open + 1, close), ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
}

async function peakRssKb(pid: number): Promise<number | null> {
  const text = await readFile(`/proc/${pid}/status`, "utf8").catch(() => null);
  const match = text ? /VmHWM:\s+(\d+) kB/.exec(text) : null;
  return match ? Number(match[1]) : null;
}

async function childrenOf(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const lists = await Promise.all(tasks.map((task) => readFile(`/proc/${pid}/task/${task}/children`, "utf8").catch(() => "")));
  return lists.flatMap((list) => list.split(" ").filter(Boolean).map(Number));
}

/** The k6 process that is `rootPid` itself or one of its children (the CLI spawns k6 as its child). */
async function findK6(rootPid: number): Promise<number | null> {
  const root = await readStat(rootPid);
  if (root?.comm === "k6") return rootPid;
  for (const child of await childrenOf(rootPid)) {
    if ((await readStat(child))?.comm === "k6") return child;
  }
  return null;
}

/**
 * Polls /proc for the k6 process under `rootPid` until stopped. Several k6 processes in a row (a gate's
 * steps) are each followed; the reported figures are those of the one with the highest peak RSS.
 */
export function watchK6(rootPid: number): { stop(): K6Usage | null } {
  const seen = new Map<number, K6Usage>();
  let current: number | null = null;
  let busy = false;
  const poll = async () => {
    if (busy) return;
    busy = true;
    try {
      if (current === null || !(await readStat(current))) current = await findK6(rootPid);
      if (current === null) return;
      const [stat, rss] = await Promise.all([readStat(current), peakRssKb(current)]);
      if (!stat || rss === null) return;
      seen.set(current, { pid: current, peakRssKb: rss, cpuSeconds: stat.cpuTicks / ticksPerSecond });
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void poll(), pollMs);
  void poll();
  return {
    stop() {
      clearInterval(timer);
      let best: K6Usage | null = null;
      for (const usage of seen.values()) if (!best || usage.peakRssKb > best.peakRssKb) best = usage;
      return best;
    },
  };
}
