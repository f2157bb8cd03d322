import { existsSync } from "node:fs";
import { aptInstall } from "./apt-install.ts";

/** Debian's Chromium, which the report tests drive with playwright-core (no browser download). */
export const chromiumPath = "/usr/bin/chromium";

/** `bulwark setup --chromium`: Chromium and a font, so that report screenshots have readable text. */
export async function installChromium(log: (line: string) => void): Promise<{ installed: boolean }> {
  if (existsSync(chromiumPath)) return { installed: false };
  log("setup: installing Debian's chromium (for the report tests)");
  await aptInstall("setup --chromium", ["chromium", "fonts-dejavu-core"]);
  return { installed: true };
}
