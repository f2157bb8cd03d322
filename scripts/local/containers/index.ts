// The container estate: a Docker engine (installed and started on demand) and the images bulwark builds
// from a debootstrap Debian base. Public names used by `bulwark local` and by tests of other areas.
import { exec } from "../../core/exec.ts";
import { formatDuration, table } from "../../core/output.ts";
import { engineInfo, engineLogFile, ensureEngine, stopEngineIfStartedByBulwark, type EngineInfo } from "./engine.ts";
import { ensureImage, labels, resolveImage, serviceImages, type ImageName, type ResolvedImage } from "./images.ts";

export { startPostgres, postgresPaths, defaultArchiveCommand, type PostgresOptions, type StartedPostgres } from "./postgres.ts";
export { startDemoTarget, type StartedDemoTarget } from "./demo-target.ts";
export { LoopbackContainer, configureTestcontainers } from "./testcontainers.ts";
export { resolveImage, overrideVariable, serviceImages, labels, type ImageName } from "./images.ts";

export interface LocalOptions {
  log: (line: string) => void;
  /** Which images to make sure of; all of them by default. */
  images?: readonly ImageName[];
}

export interface ImageStatus {
  name: ImageName;
  reference: string;
  overridden: boolean;
  present: boolean;
  createdAt?: string;
  ageSeconds?: number;
  sizeBytes?: number;
}

export interface ContainerStatus {
  id: string;
  name: string;
  image: string;
  state: string;
  status: string;
  ports: string;
  createdAt: string;
}

export interface ContainerEstateStatus {
  engine: { running: false; logFile: string } | ({ running: true } & EngineInfo);
  images: ImageStatus[];
  containers: ContainerStatus[];
}

/** Engine up, every image present (built when its recipe changed). */
export async function up(options: LocalOptions): Promise<{ actions: string[] }> {
  const started = Date.now();
  const { info, actions } = await ensureEngine(options.log);
  options.log(`container engine: Docker ${info.serverVersion} (API ${info.apiVersion}, storage ${info.storageDriver})${actions.length === 0 ? ", already running" : ""}`);
  const wanted = options.images ?? serviceImages;
  const needsBase = wanted.some((name) => !resolveImage(name).overridden);
  for (const name of needsBase ? (["base", ...wanted] as ImageName[]) : wanted) {
    const { image, built, ms } = await ensureImage(name, { log: options.log });
    if (built) actions.push(`built ${image.reference} in ${formatDuration(ms)}`);
  }
  options.log(`container estate ready in ${formatDuration(Date.now() - started)}${actions.length ? ` (${actions.join("; ")})` : " (nothing to do)"}`);
  return { actions };
}

/** Removes the containers bulwark started and stops the engine if bulwark started it. Images stay cached. */
export async function down(options: LocalOptions): Promise<void> {
  if (await engineInfo()) {
    const containers = await listContainers();
    if (containers.length > 0) {
      options.log(`removing ${containers.length} container(s) started by bulwark`);
      await exec("docker", ["rm", "--force", "--volumes", ...containers.map((container) => container.id)]);
    }
  }
  const stopped = await stopEngineIfStartedByBulwark(options.log);
  if (!stopped) options.log("container engine: left as it was (not started by bulwark)");
}

export async function status(): Promise<ContainerEstateStatus> {
  const info = await engineInfo();
  const resolved = (["base", ...serviceImages] as ImageName[]).map((name) => resolveForStatus(name));
  if (!info) {
    return {
      engine: { running: false, logFile: engineLogFile() },
      images: resolved.map((image) => ({ name: image.name, reference: image.reference, overridden: image.overridden, present: false })),
      containers: [],
    };
  }
  const images: ImageStatus[] = [];
  for (const image of resolved) {
    const inspect = await exec("docker", ["image", "inspect", "--format", "{{json .Created}} {{.Size}}", image.reference]);
    const [created, size] = inspect.stdout.trim().split(" ");
    if (inspect.code !== 0 || !created) {
      images.push({ name: image.name, reference: image.reference, overridden: image.overridden, present: false });
      continue;
    }
    const createdAt = JSON.parse(created) as string;
    images.push({
      name: image.name,
      reference: image.reference,
      overridden: image.overridden,
      present: true,
      createdAt,
      ageSeconds: Math.max(0, Math.round((Date.now() - Date.parse(createdAt)) / 1000)),
      sizeBytes: Number(size),
    });
  }
  return { engine: { running: true, ...info }, images, containers: await listContainers() };
}

/** Status must not fail because one recipe cannot be resolved (e.g. no Debian apt source): say why instead. */
function resolveForStatus(name: ImageName): ResolvedImage {
  try {
    return resolveImage(name);
  } catch (error) {
    return { name, reference: `(unresolved: ${error instanceof Error ? error.message.split("\n")[0] : String(error)})`, overridden: false };
  }
}

/** Containers carrying bulwark's label, running or not. */
async function listContainers(): Promise<ContainerStatus[]> {
  const result = await exec("docker", ["ps", "--all", "--no-trunc", "--filter", `label=${labels.managed}=true`, "--format", "{{json .}}"]);
  if (result.code !== 0) return [];
  return result.stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, string>)
    .map((row) => ({
      id: row.ID ?? "",
      name: row.Names ?? "",
      image: row.Image ?? "",
      state: row.State ?? "",
      status: row.Status ?? "",
      ports: row.Ports ?? "",
      createdAt: row.CreatedAt ?? "",
    }));
}

/** 42s, 5m, 3h, 2d: an image's age at a glance. */
export function formatAge(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

export function formatStatus(status: ContainerEstateStatus): string {
  const lines: string[] = [];
  const engine = status.engine;
  lines.push(
    engine.running
      ? `container engine: Docker ${engine.serverVersion} (API ${engine.apiVersion}, storage ${engine.storageDriver})`
      : `container engine: not running (log: ${engine.logFile})`,
  );
  lines.push(
    table([
      ["IMAGE", "REFERENCE", "PRESENT", "AGE"],
      ...status.images.map((image) => [
        image.name,
        image.reference + (image.overridden ? " (override)" : ""),
        image.present ? "yes" : "no",
        image.ageSeconds === undefined ? "-" : formatAge(image.ageSeconds),
      ]),
    ]),
  );
  if (status.containers.length === 0) lines.push("containers started by bulwark: none");
  else {
    lines.push(
      table([
        ["CONTAINER", "IMAGE", "STATE", "PORTS"],
        ...status.containers.map((container) => [container.name, container.image, container.status, container.ports]),
      ]),
    );
  }
  return lines.join("\n");
}
