import { accessSync, constants, existsSync, realpathSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { UsageError } from "./errors.ts";
import { quoteValue } from "./quote-value.ts";

/** Kernel pseudo-filesystems: writing reports there hangs, fails late or does something else entirely. */
const pseudoFileSystems = ["/proc", "/sys", "/dev"];

const pseudoRootOf = (path: string): string | undefined => pseudoFileSystems.find((root) => path === root || path.startsWith(root + sep));

/** The path itself when it exists, else its nearest existing ancestor (where it would be created). */
function nearestExisting(path: string): string {
  let candidate = path;
  while (!existsSync(candidate) && dirname(candidate) !== candidate) candidate = dirname(candidate);
  return candidate;
}

/**
 * A folder bulwark will write into (--out, the history): an existing writable directory, or creatable
 * (its nearest existing ancestor is a writable directory), and not on a pseudo-filesystem. Checked
 * before anything starts; throws a UsageError (exit 2) naming `label` and quoting the path.
 * Returns the absolute path.
 */
export function checkWritableFolder(path: string, label: string): string {
  const shown = quoteValue(path) ?? "";
  if (path.trim() === "") throw new UsageError(`${label}: ${shown} is empty; name a folder`);
  const absolute = resolve(path);
  // Lexically first, so that nothing under /proc is even looked at; then through symlinks.
  const lexicalRoot = pseudoRootOf(absolute);
  if (lexicalRoot) throw new UsageError(`${label}: ${shown} is on the ${lexicalRoot} pseudo-filesystem; choose a normal folder`);
  const existing = nearestExisting(absolute);
  const real = join(realpathSync(existing), relative(existing, absolute));
  const realRoot = pseudoRootOf(real);
  if (realRoot) throw new UsageError(`${label}: ${shown} leads to the ${realRoot} pseudo-filesystem (${real}); choose a normal folder`);
  const creates = existing !== absolute;
  if (!statSync(existing).isDirectory()) {
    throw new UsageError(creates ? `${label}: cannot create ${shown}: ${existing} is a file, not a directory` : `${label}: ${shown} is a file, not a directory`);
  }
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch {
    throw new UsageError(creates ? `${label}: cannot create ${shown}: ${existing} is not writable` : `${label}: ${shown} is not writable`);
  }
  return absolute;
}
