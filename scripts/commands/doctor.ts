import { booleanFlag, listFlag, type Command } from "./command.ts";
import { ExitCode, UsageError } from "../core/errors.ts";
import { bold, green, printJson, red, say, table } from "../core/output.ts";
import type { Capability, RequirementStatus } from "./requirements.ts";

/** Reads --for (repeatable, or comma-separated) against the known capabilities. */
export function parseCapabilities(values: string[], known: readonly string[]): Capability[] {
  const wanted = values.flatMap((value) => value.split(",")).map((value) => value.trim()).filter(Boolean);
  const unknown = wanted.filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new UsageError(`doctor: unknown capability '${unknown[0]}' (known: ${known.join(", ")})`);
  return wanted as Capability[];
}

/** The doctor table: one row per requirement, then why each missing one is missing. */
export function formatRequirements(statuses: RequirementStatus[]): string {
  const rows = [["REQUIREMENT", "NEEDED BY", "STATUS", "FIX"]];
  for (const status of statuses) rows.push([status.requirement, status.neededBy, status.status === "present" ? green("present") : red("missing"), status.status === "present" ? "-" : status.fix]);
  const lines = [table(rows), ""];
  for (const status of statuses) lines.push(`  ${status.requirement}: ${status.detail}`);
  const missing = statuses.filter((status) => status.status === "missing");
  lines.push("");
  lines.push(
    missing.length === 0
      ? bold(`all ${statuses.length} requirements present`)
      : bold(`${missing.length} of ${statuses.length} requirements missing; install with: ${[...new Set(missing.map((status) => status.fix))].join("; ")}`),
  );
  return lines.join("\n");
}

export const doctorCommand: Command = {
  name: "doctor",
  summary: "list what each capability needs, whether it is there, and the command that installs it",
  help: `Usage: bulwark doctor [--for <capability>[,<capability>...]] [--json]

Looks at this machine and installs nothing: the load engine, Go, the Docker engine and images,
debootstrap, PostgreSQL 15 server binaries, the cluster binaries, Chromium and wrk. For each: what
needs it, whether it is present, and the command that installs it (mostly 'bulwark setup --<part>').

Capabilities (--for): load, drills, containers, cluster, reports, bench. Without --for, all of them.

Flags:
  --for <capability>   check only what these capabilities need (repeatable or comma-separated)
  --json               the same as data: { schemaVersion, ok, capabilities, requirements: [...] }

Exit codes: 0 everything checked is present, 2 unknown capability, 3 something is missing.

Examples:
  bulwark doctor
  bulwark doctor --for load
  bulwark doctor --for drills,containers --json
`,
  options: { for: { type: "string", multiple: true } },
  async run(context) {
    const { capabilityNames, checkRequirements } = await import("./requirements.ts");
    const requested = parseCapabilities(listFlag(context, "for"), capabilityNames);
    const wanted = requested.length > 0 ? requested : capabilityNames;
    const statuses = await checkRequirements(wanted);
    const ok = statuses.every((status) => status.status === "present");
    if (booleanFlag(context, "json")) printJson({ schemaVersion: 1, ok, capabilities: wanted, requirements: statuses });
    else say(formatRequirements(statuses));
    return ok ? ExitCode.pass : ExitCode.tooling;
  },
};
