import type { CommandContext, OptionSpec } from "./command.ts";
import { flagLabel, listFlag, stringFlag } from "./command.ts";
import { quoteName } from "../core/quote-value.ts";
import { UsageError } from "../core/errors.ts";
import { parseDemoFaults, noFaults, type DemoFaults } from "../demo-target/faults.ts";
import { localEstate } from "./estate.ts";
import type { EnvironmentConfig } from "../../thresholds/schema.ts";

/** Flags shared by `run` and `gate`. */
export const loadOptions = {
  env: { type: "string" },
  target: { type: "string" },
  profile: { type: "string" },
  out: { type: "string" },
  config: { type: "string" },
  "demo-fault": { type: "string", multiple: true },
  history: { type: "string" },
  duration: { type: "string" },
  rate: { type: "string" },
} satisfies OptionSpec;

export const loadFlagsHelp = `Flags:
  --env <name>          environment from the config (default: its defaultEnvironment) [BULWARK_ENV]
  --target <url>        base URL of the service under test; without --env it runs in the "target" environment
                        (the config's, else bulwark's defaults), never the demo's, never with chaos or destructive steps [BULWARK_TARGET]
  --duration <d>        quick look: every profile lasts this long (e.g. 10s)
  --rate <n>            quick look: every profile peaks at n iterations/s
  --profile <name>      load profile: smoke, load, stress, breakpoint, spike, soak
  --out <dir>           root folder of run directories (default: reports/) [BULWARK_REPORTS_DIR]
  --config <file>       config file (default: bulwark.config.json) [BULWARK_CONFIG]
  --demo-fault <spec>   make the demo target misbehave: latency=300ms, errors=5% (comma-separated or repeated)
  --history <dir>       run history for baselines (default: history/ in the reports folder) [BULWARK_HISTORY_DIR]
  --json                print summary.json on stdout at the end
`;

export function targetFlag(context: CommandContext): string | undefined {
  const target = stringFlag(context, "target", "BULWARK_TARGET");
  if (target === undefined) return undefined;
  const label = flagLabel(context, "target", "BULWARK_TARGET");
  const shown = quoteName(target);
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new UsageError(`${label}: ${shown} is not a URL (expected e.g. http://127.0.0.1:8080)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`${label}: ${shown} must be an http:// or https:// URL`);
  return target;
}

export function demoFaultsFlag(context: CommandContext): DemoFaults {
  const specs = listFlag(context, "demo-fault");
  if (specs.length === 0) return noFaults;
  const faults = parseDemoFaults(specs);
  if ("error" in faults) throw new UsageError(faults.error);
  return faults;
}

/** The flags `run` and `gate` share, as the part of the steps request they fill in. */
export function sharedRunFlags(context: CommandContext, environment: EnvironmentConfig) {
  const targetOverride = targetFlag(context);
  const reportsRoot = stringFlag(context, "out", "BULWARK_REPORTS_DIR");
  const reportsRootLabel = flagLabel(context, "out", "BULWARK_REPORTS_DIR");
  const historyLocation = stringFlag(context, "history");
  const demoFaults = demoFaultsFlag(context);
  if (demoFaults !== noFaults && (targetOverride !== undefined || !environment.demo)) throw new UsageError("--demo-fault: only applies to the embedded demo target (an environment with demo: true and no --target)");
  return {
    estate: localEstate(demoFaults),
    abortSignal: context.abortSignal,
    ...(targetOverride ? { targetOverride } : {}),
    ...(reportsRoot !== undefined ? { reportsRoot, reportsRootLabel } : {}),
    ...(historyLocation ? { historyLocation } : {}),
  };
}
