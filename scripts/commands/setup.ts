import { booleanFlag, type Command } from "./command.ts";
import { ExitCode, ToolingError } from "../core/errors.ts";
import { formatDuration, printJson, say } from "../core/output.ts";
import { formatRequirements } from "./doctor.ts";
import type { Capability } from "./requirements.ts";

/** Setup flags, in the order they run, and the doctor capability each one provides. */
const parts = [
  { flag: "engine", capability: "load" },
  { flag: "postgres", capability: "drills" },
  { flag: "chromium", capability: "reports" },
  { flag: "containers", capability: "containers" },
  { flag: "cluster", capability: "cluster" },
] as const satisfies readonly { flag: string; capability: Capability }[];
type Part = (typeof parts)[number]["flag"];

export const setupCommand: Command = {
  name: "setup",
  summary: "install what a capability needs (load engine, PostgreSQL, Chromium, Docker and images, cluster)",
  help: `Usage: bulwark setup [--engine] [--postgres] [--chromium] [--containers] [--cluster] [--all] [--json]

The only command that installs anything: run, gate and drill never do (a missing tool is exit 3
naming the 'bulwark setup' flag that installs it). Each part is skipped when already there, so
running setup again is cheap. Without flags: --engine (all that 'bulwark gate nightly' needs).
apt-get installs need root. Ends with the doctor table for what was asked.

Flags:
  --engine       build the load engine into the user cache (needs Go; nothing is installed system-wide)
  --postgres     Debian's postgresql-15 server binaries, for process-runner drills (apt-get)
  --chromium     Debian's chromium and a font, for the report tests (apt-get)
  --containers   Docker's engine (Debian's docker.io, apt-get) started, debootstrap, and the images
                 built (PostgreSQL, demo target, Prometheus, Alertmanager): container-runner drills
                 and 'bulwark local --containers'
  --cluster      build the test cluster's binaries from the Go module proxy (long: 10-20 min cold),
                 with the real node's (kubelet, containerd, runc, CNI; libseccomp-dev from apt);
                 'bulwark local up --cluster [--real-node]' starts it
  --all          all of the above
  --json         the doctor report as data once done

Exit codes: 0 everything asked for is present, 3 an install failed or something is still missing.

Examples:
  bulwark setup
  sudo bulwark setup --postgres --containers
  bulwark setup --all
`,
  options: {
    engine: { type: "boolean" },
    postgres: { type: "boolean" },
    chromium: { type: "boolean" },
    containers: { type: "boolean" },
    cluster: { type: "boolean" },
    all: { type: "boolean" },
  },
  async run(context) {
    const all = booleanFlag(context, "all");
    const asked = parts.filter((part) => all || booleanFlag(context, part.flag));
    const chosen = asked.length > 0 ? asked : parts.filter((part) => part.flag === "engine");
    for (const part of chosen) {
      if (context.abortSignal.aborted) throw new ToolingError("setup: interrupted");
      const started = Date.now();
      say(`setup: ${part.flag}`);
      await install(part.flag);
      say(`setup: ${part.flag} done in ${formatDuration(Date.now() - started)}`);
    }
    const { checkRequirements } = await import("./requirements.ts");
    const statuses = await checkRequirements(chosen.map((part) => part.capability));
    const ok = statuses.every((status) => status.status === "present");
    if (booleanFlag(context, "json")) printJson({ schemaVersion: 1, ok, capabilities: chosen.map((part) => part.capability), requirements: statuses });
    else say(formatRequirements(statuses));
    return ok ? ExitCode.pass : ExitCode.tooling;
  },
};

/** Each part through the code path that owns it; every one is a no-op when its part is already there. */
async function install(part: Part): Promise<void> {
  const log = (line: string) => say(line);
  switch (part) {
    case "engine": {
      const { ensureEngine } = await import("../kinds/load/engine-binary.ts");
      const engine = await ensureEngine(log, { forbidBuild: false });
      log(`setup: load engine ${engine.version} (${engine.path})`);
      return;
    }
    case "postgres": {
      const { installPostgresBinaries } = await import("../setup/postgres.ts");
      const { binDir } = await installPostgresBinaries(log);
      log(`setup: PostgreSQL server binaries in ${binDir}`);
      return;
    }
    case "chromium": {
      const { installChromium } = await import("../setup/chromium.ts");
      await installChromium(log);
      return;
    }
    case "containers": {
      const { up } = await import("../local/containers/index.ts");
      const { installDebootstrap } = await import("../local/containers/images.ts");
      await installDebootstrap(log);
      await up({ log });
      return;
    }
    case "cluster": {
      const { ensureBinaries, requiredForControlPlane } = await import("../local/cluster/index.ts");
      // The real node's runc links libseccomp (apt); its binaries are optional like Chaos Mesh.
      const { ensureRealNodeBuildPackages } = await import("../setup/real-node.ts");
      await ensureRealNodeBuildPackages(log);
      const report = await ensureBinaries(log, { realNode: true });
      const missing = requiredForControlPlane.filter((name) => !report.binaries[name]);
      if (missing.length > 0) throw new ToolingError(`setup --cluster: could not build ${missing.join(", ")}\n${report.failed.map((failure) => `${failure.name}: ${failure.reason}`).join("\n")}`);
      for (const failure of report.failed) log(`setup: ${failure.name} could not be built (optional): ${failure.reason.split("\n")[0]}`);
      return;
    }
  }
}
