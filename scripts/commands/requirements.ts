// What each capability needs from the machine, how to tell whether it is there without changing
// anything, and the command that installs it. `bulwark doctor` reports these; `bulwark setup` ends with them.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { exec } from "../core/exec.ts";
import { findPostgresBinDir, postgresSearchDescription, wantedPostgresMajor } from "../core/postgres-binaries.ts";
import { engineSourceDir, findEngine, goIsInstalled } from "../kinds/load/engine-binary.ts";
import { builtBinaries, requiredForControlPlane } from "../local/cluster/index.ts";
import { engineInfo, findExecutable } from "../local/containers/engine.ts";
import { imageExists, overrideVariable, resolveImage, serviceImages, type ImageName } from "../local/containers/images.ts";
import { chromiumPath } from "../setup/chromium.ts";

export const capabilities = {
  load: "load steps of run and gate",
  drills: "restore drills on the process runner (PostgreSQL as local processes)",
  containers: "restore drills on the container runner, bulwark local --containers",
  cluster: "bulwark local --cluster and the cluster tests",
  reports: "the report tests (report.html opened in Chromium)",
  bench: "npm run bench (wrk as a baseline load generator)",
} as const;
export type Capability = keyof typeof capabilities;
export const capabilityNames = Object.keys(capabilities) as Capability[];

export interface Requirement {
  name: string;
  /** Capabilities that fail without it (`bulwark doctor --for <capability>`). */
  capabilities: Capability[];
  /** What needs it, in words, for the table. */
  neededBy: string;
  /** The command that installs it. */
  fix: string;
  /** Looks, never changes anything. */
  check(): Promise<{ present: boolean; detail: string }>;
}

export interface RequirementStatus {
  requirement: string;
  neededBy: string;
  capabilities: Capability[];
  status: "present" | "missing";
  detail: string;
  fix: string;
}

/** The Go version the engine's go.mod asks for ("1.26"). */
function engineGoVersion(): string {
  const goMod = readFileSync(join(engineSourceDir(), "go.mod"), "utf8");
  return /^go (\d+\.\d+)/m.exec(goMod)?.[1] ?? "unknown";
}

function atLeast(version: string, wanted: string): boolean {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  const [wantedMajor = 0, wantedMinor = 0] = wanted.split(".").map(Number);
  return major > wantedMajor || (major === wantedMajor && minor >= wantedMinor);
}

const containersFix = "bulwark setup --containers";

export const requirements: Requirement[] = [
  {
    name: "load engine",
    capabilities: ["load"],
    neededBy: "run, gate (load steps)",
    fix: "bulwark setup --engine",
    async check() {
      const lookup = await findEngine();
      if (lookup.found) return { present: true, detail: `${lookup.engine.version} (${lookup.engine.path})` };
      const canBuild = await goIsInstalled();
      return { present: false, detail: `${lookup.problem}${canBuild ? "; Go is installed, so the first run would build it" : "; Go is needed to build it"}` };
    },
  },
  {
    name: "Go",
    capabilities: ["cluster"],
    neededBy: `building the load engine (go ${engineGoVersion()}) and the cluster`,
    fix: "install Go from https://go.dev/doc/install (Debian's golang is too old)",
    async check() {
      const result = await exec("go", ["env", "GOVERSION"]).catch(() => undefined);
      if (!result || result.code !== 0) return { present: false, detail: "go not found on PATH" };
      const version = result.stdout.trim();
      const wanted = engineGoVersion();
      if (!atLeast(version.replace(/^go/, ""), wanted)) return { present: false, detail: `${version} is older than the engine's go ${wanted}` };
      return { present: true, detail: version };
    },
  },
  {
    name: "Docker engine",
    capabilities: ["containers"],
    neededBy: "container-runner drills, bulwark local --containers",
    fix: containersFix,
    async check() {
      if (!findExecutable("docker")) return { present: false, detail: "no docker CLI on PATH" };
      const info = await engineInfo();
      if (!info) {
        const where = process.env.DOCKER_HOST ? ` at DOCKER_HOST=${process.env.DOCKER_HOST}` : "";
        return { present: false, detail: `the docker CLI is there but no engine answers${where}${findExecutable("dockerd") ? "" : " (dockerd is not installed)"}` };
      }
      return { present: true, detail: `Docker ${info.serverVersion} (API ${info.apiVersion})` };
    },
  },
  {
    name: "container images",
    capabilities: ["containers"],
    neededBy: "container-runner drills, bulwark local --containers",
    fix: containersFix,
    async check() {
      if (!(await engineInfo())) return { present: false, detail: "unknown: no Docker engine answers" };
      const missing: string[] = [];
      for (const name of ["base", ...serviceImages] as ImageName[]) {
        try {
          const image = resolveImage(name);
          if (!image.overridden && !(await imageExists(image.reference))) missing.push(image.reference);
        } catch (error) {
          missing.push(`${name} (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`);
        }
      }
      return missing.length === 0 ? { present: true, detail: `${serviceImages.length + 1} images built` } : { present: false, detail: `not built: ${missing.join(", ")}` };
    },
  },
  {
    name: "debootstrap",
    capabilities: ["containers"],
    neededBy: "building the base image (bulwark setup --containers)",
    fix: containersFix,
    async check() {
      const override = process.env[overrideVariable("base")];
      if (override) return { present: true, detail: `not needed: ${overrideVariable("base")}=${override} names the base image` };
      const path = findExecutable("debootstrap");
      return path ? { present: true, detail: path } : { present: false, detail: "not found on PATH or in /usr/sbin" };
    },
  },
  {
    name: `PostgreSQL ${wantedPostgresMajor} server binaries`,
    capabilities: ["drills"],
    neededBy: "process-runner drills",
    fix: "bulwark setup --postgres",
    async check() {
      const binDir = findPostgresBinDir();
      return binDir ? { present: true, detail: binDir } : { present: false, detail: `not found in ${postgresSearchDescription}` };
    },
  },
  {
    name: "cluster binaries",
    capabilities: ["cluster"],
    neededBy: "bulwark local --cluster, the cluster tests",
    fix: "bulwark setup --cluster",
    async check() {
      if (!(await goIsInstalled())) return { present: false, detail: "unknown without Go (builds are keyed by the Go version)" };
      const built = await builtBinaries();
      const missing = requiredForControlPlane.filter((name) => !built[name]);
      if (missing.length > 0) return { present: false, detail: `not built: ${missing.join(", ")}` };
      return { present: true, detail: `control plane built${built["chaos-controller-manager"] ? ", Chaos Mesh built" : "; Chaos Mesh not built (optional)"}` };
    },
  },
  {
    name: "Chromium",
    capabilities: ["reports"],
    neededBy: "the report tests",
    fix: "bulwark setup --chromium",
    async check() {
      return existsSync(chromiumPath) ? { present: true, detail: chromiumPath } : { present: false, detail: `${chromiumPath} not found` };
    },
  },
  {
    name: "wrk",
    capabilities: ["bench"],
    neededBy: "npm run bench",
    fix: "apt-get install wrk",
    async check() {
      const path = findExecutable("wrk");
      return path ? { present: true, detail: path } : { present: false, detail: "not found on PATH" };
    },
  },
];

/** Checks the requirements of the given capabilities (all when none is given), one after the other. */
export async function checkRequirements(wanted: readonly Capability[] = capabilityNames): Promise<RequirementStatus[]> {
  const statuses: RequirementStatus[] = [];
  for (const requirement of requirements.filter((candidate) => candidate.capabilities.some((capability) => wanted.includes(capability)))) {
    const { present, detail } = await requirement.check().catch((error: unknown) => ({ present: false, detail: `check failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}` }));
    statuses.push({ requirement: requirement.name, neededBy: requirement.neededBy, capabilities: requirement.capabilities, status: present ? "present" : "missing", detail, fix: requirement.fix });
  }
  return statuses;
}
