import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** One apt source as apt itself sees it, whichever file format it came from. */
export interface AptSource {
  types: string[];
  uris: string[];
  suites: string[];
  components: string[];
}

/**
 * Reads the machine's apt sources: /etc/apt/sources.list (one-line format) and
 * /etc/apt/sources.list.d/*.list (one-line) and *.sources (deb822). Files with other suffixes are ignored,
 * as apt ignores them. `etcApt` is a parameter so that tests can point at a fixture tree.
 */
export function readAptSources(etcApt = "/etc/apt"): AptSource[] {
  const sources: AptSource[] = [];
  const mainList = join(etcApt, "sources.list");
  if (existsSync(mainList)) sources.push(...parseOneLineSources(readFileSync(mainList, "utf8")));
  const partsDir = join(etcApt, "sources.list.d");
  if (existsSync(partsDir)) {
    for (const file of readdirSync(partsDir).sort()) {
      const text = readFileSync(join(partsDir, file), "utf8");
      if (file.endsWith(".list")) sources.push(...parseOneLineSources(text));
      else if (file.endsWith(".sources")) sources.push(...parseDeb822Sources(text));
    }
  }
  return sources;
}

/** `deb [options] uri suite component...` per line; comments and deb-src lines are kept out of the result. */
export function parseOneLineSources(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const rawLine of text.split("\n")) {
    const line = rawLine.replace(/#.*/, "").trim();
    if (!line) continue;
    const withoutOptions = line.replace(/\[[^\]]*\]/, " ");
    const [type, uri, suite, ...components] = withoutOptions.split(/\s+/).filter(Boolean);
    if (type !== "deb" || !uri || !suite) continue;
    sources.push({ types: ["deb"], uris: [uri], suites: [suite], components });
  }
  return sources;
}

/** Stanzas separated by blank lines, `Field: value` with continuation lines; `Enabled: no` stanzas skipped. */
export function parseDeb822Sources(text: string): AptSource[] {
  const sources: AptSource[] = [];
  const stanzas = text
    .split("\n")
    .filter((line) => !line.startsWith("#"))
    .join("\n")
    .split(/\n\s*\n/);
  for (const stanza of stanzas) {
    const fields = new Map<string, string>();
    let current: string | undefined;
    for (const line of stanza.split("\n")) {
      const field = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
      if (field?.[1] !== undefined) {
        current = field[1].toLowerCase();
        fields.set(current, field[2] ?? "");
      } else if (current && /^\s/.test(line)) {
        fields.set(current, `${fields.get(current) ?? ""} ${line.trim()}`);
      }
    }
    if (fields.get("enabled")?.trim().toLowerCase() === "no") continue;
    const words = (name: string) => (fields.get(name) ?? "").split(/\s+/).filter(Boolean);
    const types = words("types");
    if (!types.includes("deb") || words("uris").length === 0) continue;
    sources.push({ types, uris: words("uris"), suites: words("suites"), components: words("components") });
  }
  return sources;
}

/** The sources the base image needs: binary sources for `suite` and its -updates/-security companions. */
export function sourcesForSuite(sources: AptSource[], suite: string): AptSource[] {
  const wanted = new Set([suite, `${suite}-updates`, `${suite}-security`]);
  return sources
    .filter((source) => source.types.includes("deb"))
    .map((source) => ({ ...source, suites: source.suites.filter((s) => wanted.has(s)) }))
    .filter((source) => source.suites.length > 0 && source.components.includes("main"));
}

/** The mirror debootstrap installs from: the first source that carries `suite` itself. */
export function primaryMirror(sources: AptSource[], suite: string): string | undefined {
  return sourcesForSuite(sources, suite).find((source) => source.suites.includes(suite))?.uris[0];
}

/** The same sources in one-line format, restricted to `main`: written into the base image. */
export function toOneLineSources(sources: AptSource[]): string {
  const lines: string[] = [];
  for (const source of sources) {
    for (const uri of source.uris) for (const suite of source.suites) lines.push(`deb ${uri} ${suite} main`);
  }
  return lines.join("\n") + "\n";
}
