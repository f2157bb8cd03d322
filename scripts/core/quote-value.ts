/** Credentials in a URL (`//user:password@host`), wherever they appear in a text. */
const urlCredentials = /(\/\/)[^/\s@]*@/g;

/** Removes the user and password of every URL in a text: a quoted value must never print a secret. */
export function withoutUrlCredentials(text: string): string {
  return text.replace(urlCredentials, "$1");
}

const longest = 80;

/**
 * An offending value as a message quotes it: strings in double quotes (cut at 80 characters, URL
 * credentials removed), numbers and booleans as written; undefined for objects and arrays, which
 * a message names by their path instead.
 */
export function quoteValue(value: unknown): string | undefined {
  if (typeof value === "string") {
    const text = withoutUrlCredentials(value);
    return JSON.stringify(text.length > longest ? `${text.slice(0, longest)}…` : text);
  }
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value === null) return "null";
  return undefined;
}

/** A name in single quotes, with control characters escaped: a message stays one line whatever was typed. */
export function quoteName(name: string): string {
  return `'${JSON.stringify(withoutUrlCredentials(name)).slice(1, -1)}'`;
}
