// System packages the real node's build needs: runc is built with cgo against libseccomp (its headers
// come from libseccomp-dev, found through pkg-config). Installed by `bulwark setup`, never by `up`.
import { exec } from "../core/exec.ts";
import { aptInstall } from "./apt-install.ts";

export const realNodeBuildPackages = ["libseccomp-dev", "pkg-config", "gcc", "libc6-dev"];

export async function realNodeBuildPackagesPresent(): Promise<boolean> {
  const seccomp = await exec("pkg-config", ["--exists", "libseccomp"]).catch(() => undefined);
  const compiler = await exec("gcc", ["--version"]).catch(() => undefined);
  return seccomp?.code === 0 && compiler?.code === 0;
}

export async function ensureRealNodeBuildPackages(log: (line: string) => void): Promise<void> {
  if (await realNodeBuildPackagesPresent()) return;
  log(`real node: installing ${realNodeBuildPackages.join(", ")} (runc is built with cgo against libseccomp)`);
  await aptInstall("real node", realNodeBuildPackages);
}
