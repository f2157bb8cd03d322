// The CronJob fields `bulwark deploy manifests` takes from the command line, checked as the API server
// would check them (a cron schedule in the standard five-field syntax, an IANA time zone), so that a typo
// is exit 2 here and not a refused `kubectl apply` later.

const macros = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]);
const monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

interface CronField {
  name: string;
  min: number;
  max: number;
  /** Names accepted for values (jan..dec, sun..sat), lower case, the first one being `min`. */
  names?: readonly string[];
  /** `?` stands for "any" in the day fields. */
  question?: boolean;
}

const fields: readonly CronField[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31, question: true },
  { name: "month", min: 1, max: 12, names: monthNames },
  { name: "day of week", min: 0, max: 6, names: dayNames, question: true },
];

function valueOf(text: string, field: CronField): number | undefined {
  if (/^\d{1,2}$/.test(text)) return Number(text);
  const index = field.names?.indexOf(text.toLowerCase()) ?? -1;
  return index >= 0 ? field.min + index : undefined;
}

/** Why one comma-separated item of a field is wrong, or undefined. */
function itemProblem(item: string, field: CronField): string | undefined {
  const [range = "", step, ...more] = item.split("/");
  if (more.length > 0) return `'${item}' has more than one /`;
  if (step !== undefined && !(/^\d{1,2}$/.test(step) && Number(step) >= 1)) return `'${item}': the step after / must be a whole number from 1`;
  if (range === "*" || (range === "?" && field.question)) return undefined;
  const [first = "", last, ...extra] = range.split("-");
  if (extra.length > 0) return `'${item}' has more than one -`;
  const start = valueOf(first, field);
  const end = last === undefined ? start : valueOf(last, field);
  if (start === undefined || end === undefined) return `'${item}' is not a number${field.names ? " or name" : ""}`;
  if (start < field.min || end > field.max) return `'${item}' is outside ${field.min}-${field.max}`;
  if (start > end) return `'${item}' is a range that ends before it starts`;
  return undefined;
}

/** Why a CronJob schedule is not one the API server accepts, or undefined: five fields or a macro such as @daily. */
export function cronScheduleProblem(schedule: string): string | undefined {
  if (!/^[ 0-9A-Za-z*?,/@-]+$/.test(schedule)) return "may hold only digits, letters, spaces and * ? , / - @";
  const text = schedule.trim();
  if (text.startsWith("@")) return macros.has(text) ? undefined : `unknown macro (known: ${[...macros].join(", ")})`;
  const parts = text.split(/ +/);
  if (parts.length !== fields.length) return `has ${parts.length} fields, a cron schedule has five (minute hour day-of-month month day-of-week, e.g. "0 2 * * *")`;
  for (const [index, field] of fields.entries()) {
    for (const item of parts[index]!.split(",")) {
      const problem = itemProblem(item, field);
      if (problem) return `${field.name}: ${problem}`;
    }
  }
  return undefined;
}

/** Why a CronJob time zone is not an IANA zone name, or undefined. */
export function timeZoneProblem(timeZone: string): string | undefined {
  if (!/^[A-Za-z0-9_+\-/]+$/.test(timeZone) || timeZone.split("/").some((part) => part === "" || part === "." || part === "..")) return "is not a time zone name (e.g. Europe/Berlin, UTC)";
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat("en", { timeZone }).resolvedOptions().timeZone;
  } catch {
    return "is not a time zone this machine knows (IANA names such as Europe/Berlin, UTC)";
  }
  // Intl ignores case; the cluster's time zone database does not.
  if (resolved !== timeZone && resolved.toLowerCase() === timeZone.toLowerCase()) return `is written ${resolved}`;
  return undefined;
}
