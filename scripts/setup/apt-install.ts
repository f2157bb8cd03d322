import { ToolingError } from "../core/errors.ts";
import { exec, tail } from "../core/exec.ts";

// Other set-up steps may run apt at the same time: wait for dpkg's lock instead of failing at once.
const aptOptions = ["-o", "DPkg::Lock::Timeout=300"];

/** `apt-get install -y` (root only); refreshes the package lists once if the first attempt fails. */
export async function aptInstall(what: string, packages: string[]): Promise<void> {
  if (process.getuid?.() !== 0) throw new ToolingError(`${what}: installing ${packages.join(", ")} needs root (apt-get install)`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const install = () => exec("apt-get", [...aptOptions, "install", "-y", "--no-install-recommends", ...packages], { env });
  let result = await install();
  if (result.code !== 0) {
    // Package lists may be missing or stale on a fresh machine.
    const update = await exec("apt-get", [...aptOptions, "update"], { env });
    if (update.code !== 0) throw new ToolingError(`${what}: apt-get update failed\n${tail(update.stderr + update.stdout)}`);
    result = await install();
  }
  if (result.code !== 0) throw new ToolingError(`${what}: apt-get install ${packages.join(" ")} failed\n${tail(result.stderr + result.stdout)}`);
}
