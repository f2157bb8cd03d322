import { rename, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";

/** Writes a file so that readers see the old content or the new one, never half of it. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const temporary = `${path}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, path);
}
