// Images without a registry: the pause image (a tiny static Go program built here) and the demo target
// (already built in the local Docker engine) are saved from Docker and imported into containerd's k8s.io
// namespace; pods use imagePullPolicy: Never.
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { cacheDir } from "../../../core/cache-dir.ts";
import { ToolingError } from "../../../core/errors.ts";
import { exec, tail } from "../../../core/exec.ts";
import { pauseImage, realNodePaths } from "./layout.ts";

const pauseSource = `// The pod sandbox's process: holds the pod's namespaces until it is told to stop.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
}
`;

async function must(what: string, command: string, args: string[], options: Parameters<typeof exec>[2] = {}): Promise<string> {
  const result = await exec(command, args, options);
  if (result.code !== 0) throw new ToolingError(`real node: ${what} failed: ${tail(result.stderr || result.stdout, 6)}`);
  return result.stdout;
}

/** Builds the pause image into Docker once (it is tiny and never changes). */
async function ensurePauseInDocker(): Promise<void> {
  if ((await exec("docker", ["image", "inspect", pauseImage])).code === 0) return;
  const dir = cacheDir("cluster", "pause");
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "go.mod"), "module bulwark.local/pause\n\ngo 1.22\n");
  await writeFile(join(dir, "main.go"), pauseSource);
  const env = { ...process.env, CGO_ENABLED: "0", GOWORK: "off", GOTOOLCHAIN: "local", GOFLAGS: "-buildvcs=false" };
  await must("building the pause binary", "go", ["build", "-trimpath", "-ldflags=-s -w", "-o", "pause", "."], { cwd: dir, env });
  await writeFile(join(dir, "Dockerfile"), 'FROM scratch\nCOPY pause /pause\nENTRYPOINT ["/pause"]\n');
  await must("building the pause image", "docker", ["build", "-q", "-t", pauseImage, dir]);
}

export interface Ctr {
  run(args: string[]): ReturnType<typeof exec>;
}

export function ctrFor(binary: string): Ctr {
  return { run: (args) => exec(binary, ["--address", realNodePaths.containerdSocket(), "--namespace", "k8s.io", ...args]) };
}

/** containerd's name of a Docker reference: "bulwark/runner:1" is "docker.io/bulwark/runner:1". */
const normalized = (reference: string): string => (reference.includes("/") && reference.split("/")[0]?.includes(".") ? reference : `docker.io/${reference.includes("/") ? reference : `library/${reference}`}`);

async function imageNames(ctr: Ctr): Promise<string[]> {
  return (await ctr.run(["images", "ls", "-q"])).stdout.split("\n").map((line) => line.trim()).filter((line) => line !== "");
}

async function hasImage(ctr: Ctr, reference: string): Promise<boolean> {
  return (await imageNames(ctr)).some((name) => name === normalized(reference) || name === reference);
}

/** `docker save | ctr images import`, unless containerd already has the image. */
export async function importFromDocker(ctrBinary: string, reference: string): Promise<"imported" | "present"> {
  const ctr = ctrFor(ctrBinary);
  if (await hasImage(ctr, reference)) return "present";
  if ((await exec("docker", ["image", "inspect", reference])).code !== 0) {
    throw new ToolingError(`real node: image ${reference} is not in the local Docker engine; build it with \`bulwark local up --containers\``);
  }
  const script = `set -o pipefail 2>/dev/null; docker save "$1" | "$2" --address "$3" --namespace k8s.io images import -`;
  await must(`importing ${reference} into containerd`, "bash", ["-c", script, "import", reference, ctrBinary, realNodePaths.containerdSocket()]);
  return "imported";
}

export async function ensureImages(ctrBinary: string, references: string[]): Promise<void> {
  await ensurePauseInDocker();
  for (const reference of [pauseImage, ...references]) await importFromDocker(ctrBinary, reference);
  if (!existsSync(realNodePaths.containerdSocket())) throw new ToolingError("real node: containerd's socket vanished while importing images");
}

/**
 * Imports one build of an image that is rebuilt under new tags (the runner image, tagged by its content
 * hash) and removes the repository's other tags from containerd, so earlier builds do not pile up there.
 */
export async function importLatestBuild(ctrBinary: string, reference: string): Promise<"imported" | "present"> {
  const state = await importFromDocker(ctrBinary, reference);
  const ctr = ctrFor(ctrBinary);
  const repository = normalized(reference).replace(/:[^:/]+$/, "");
  const older = (await imageNames(ctr)).filter((name) => name.startsWith(`${repository}:`) && name !== normalized(reference));
  if (older.length > 0) await ctr.run(["images", "rm", ...older]);
  return state;
}
