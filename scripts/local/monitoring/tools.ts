// promtool and amtool, run from the estate's Prometheus and Alertmanager images (never installed on the
// host: Debian's prometheus package would start a server). Files are mounted read-only at the same
// paths, so the tools' messages name them as the user wrote them; no network.
import { dirname, resolve, sep } from "node:path";
import { ToolingError } from "../../core/errors.ts";
import { exec } from "../../core/exec.ts";
import { imageExists, resolveImage } from "../containers/images.ts";
import { engineInfo } from "../containers/engine.ts";

export interface ToolRun {
  /** The command as a user would type it (tool and arguments). */
  command: string;
  code: number;
  output: string;
}

/** The deepest folder containing every file; "/" when they share nothing else. */
function commonFolder(files: readonly string[]): string {
  const split = files.map((file) => dirname(resolve(file)).split(sep));
  const common: string[] = [];
  for (let index = 0; split.every((parts) => parts[index] !== undefined && parts[index] === split[0]![index]); index++) common.push(split[0]![index]!);
  return common.join(sep) || sep;
}

async function runTool(image: "prometheus" | "alertmanager", tool: string, args: readonly string[], files: readonly string[]): Promise<ToolRun> {
  if (!(await engineInfo())) throw new ToolingError(`${tool}: the Docker engine is not running; start it with \`bulwark local up --containers\``);
  // A user command never builds or installs: the images come from `bulwark local up`.
  const resolved = resolveImage(image);
  if (!(await imageExists(resolved.reference))) throw new ToolingError(`${tool}: image ${resolved.reference} is missing; build it with \`bulwark local up --containers\``);
  const folders = [...new Set(commonFolder(files) === sep ? files.map((file) => dirname(resolve(file))) : [commonFolder(files)])];
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const dockerArgs = ["run", "--rm", "--network", "none", "--user", `${uid}:${gid}`, "--entrypoint", tool, "--workdir", dirname(resolve(files[0] ?? "."))];
  for (const folder of folders) dockerArgs.push("--volume", `${folder}:${folder}:ro`);
  const result = await exec("docker", [...dockerArgs, resolved.reference, ...args]);
  if (result.code === null) throw new ToolingError(`${tool}: did not finish (${result.signal ?? "no exit code"})`);
  if (result.code === 125 || /Unable to find image|docker: Error/.test(result.stderr)) throw new ToolingError(`${tool}: docker run failed: ${result.stderr.trim().replace(/\s+/g, " ")}`);
  return { command: [tool, ...args].join(" "), code: result.code, output: [result.stdout.trim(), result.stderr.trim()].filter(Boolean).join("\n") };
}

/** `promtool <args>` with `files` readable at their own paths (absolute paths expected in args). */
export const runPromtool = (args: readonly string[], files: readonly string[]): Promise<ToolRun> => runTool("prometheus", "promtool", args, files);
/** `amtool <args>` with `files` readable at their own paths. */
export const runAmtool = (args: readonly string[], files: readonly string[]): Promise<ToolRun> => runTool("alertmanager", "amtool", args, files);
