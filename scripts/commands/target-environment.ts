import { formatK6Duration, parseDuration } from "../../thresholds/duration.ts";
import { named, resolveProfile } from "../../thresholds/load-config.ts";
import { environmentSchema, type EnvironmentConfig, type Profile } from "../../thresholds/schema.ts";
import { UsageError } from "../core/errors.ts";
import { quoteName } from "../core/quote-value.ts";
import { pickEnvironment } from "../registry/config.ts";
import type { BulwarkConfig } from "../registry/registry.ts";
import { flagLabel, stringFlag, type CommandContext } from "./command.ts";
import { targetFlag } from "./load-flags.ts";

/** The environment a --target without --env runs in: the config's `target` environment, else bulwark's defaults. */
export const targetEnvironmentName = "target";

export interface ChosenEnvironment {
  /** The config with the chosen environment as the run sees it (an ad-hoc target's, quick-look profiles). */
  config: BulwarkConfig;
  environmentName: string;
  environment: EnvironmentConfig;
}

/** --duration and --rate: every profile shortened or slowed for a quick look (arrival-rate shapes kept). */
function quickLookOverrides(config: BulwarkConfig, environmentName: string, durationMs: number | undefined, rate: number | undefined): Record<string, Record<string, unknown>> {
  const overrides: Record<string, Record<string, unknown>> = {};
  for (const profileName of Object.keys(config.profiles)) {
    const profile: Profile = resolveProfile(config, environmentName, profileName);
    if (profile.executor === "constant-arrival-rate") {
      overrides[profileName] = { ...profile, ...(durationMs !== undefined ? { duration: formatK6Duration(durationMs) } : {}), ...(rate !== undefined ? { ratePerSecond: rate } : {}) };
      continue;
    }
    const total = profile.stages.reduce((sum, stage) => sum + (parseDuration(stage.duration) ?? 0), 0);
    const peak = Math.max(profile.startRate, ...profile.stages.map((stage) => stage.target));
    const scaleRate = (value: number) => (rate === undefined || peak === 0 ? value : Math.round((value * rate) / peak * 1000) / 1000);
    const stages = profile.stages.map((stage) => ({
      target: scaleRate(stage.target),
      duration: durationMs === undefined || total === 0 ? stage.duration : formatK6Duration(Math.max(1, Math.round(((parseDuration(stage.duration) ?? 0) * durationMs) / total))),
    }));
    overrides[profileName] = { ...profile, startRate: scaleRate(profile.startRate), stages };
  }
  return overrides;
}

function quickLookFlags(context: CommandContext): { durationMs?: number; rate?: number } {
  const durationText = stringFlag(context, "duration");
  const rateText = stringFlag(context, "rate");
  const durationMs = durationText === undefined ? undefined : parseDuration(durationText);
  if (durationMs === null || (durationMs !== undefined && durationMs <= 0)) throw new UsageError(`--duration: ${quoteName(durationText ?? "")} is not a duration such as "30s" or "2m"`);
  const rate = rateText === undefined ? undefined : Number(rateText);
  if (rate !== undefined && (!Number.isFinite(rate) || rate <= 0 || rate > 1_000_000)) throw new UsageError(`--rate: ${quoteName(rateText ?? "")} must be a number of iterations per second above 0 (at most 1000000)`);
  return { ...(durationMs !== undefined ? { durationMs } : {}), ...(rate !== undefined ? { rate } : {}) };
}

/**
 * The environment of a `run` or `gate`. --target without --env is not the demo: it runs in an
 * environment of its own (the config's `target` environment when it has one, else bulwark's defaults:
 * health check at /health, no auth), with the config's real profiles. A run aimed at --target never
 * allows chaos or destructive steps. --duration / --rate override every profile for a quick look.
 */
export function chooseEnvironment(config: BulwarkConfig, context: CommandContext): ChosenEnvironment {
  const target = targetFlag(context);
  const envName = stringFlag(context, "env", "BULWARK_ENV");
  let environmentName: string;
  let environment: EnvironmentConfig;
  if (target !== undefined && envName === undefined) {
    environmentName = targetEnvironmentName;
    environment = named(config.environments, targetEnvironmentName) ?? environmentSchema.parse({ description: "an ad-hoc --target, with bulwark's defaults" });
  } else {
    ({ name: environmentName, environment } = pickEnvironment(config, envName, flagLabel(context, "env", "BULWARK_ENV")));
  }
  if (target !== undefined) environment = { ...environment, demo: false, allowChaos: false, allowDestructive: false };
  const { durationMs, rate } = quickLookFlags(context);
  const environments: Record<string, EnvironmentConfig> = Object.assign(Object.create(null) as Record<string, EnvironmentConfig>, config.environments, { [environmentName]: environment });
  let chosen: BulwarkConfig = { ...config, environments };
  if (durationMs !== undefined || rate !== undefined) {
    environment = { ...environment, profiles: Object.assign(Object.create(null) as Record<string, Record<string, unknown>>, quickLookOverrides(chosen, environmentName, durationMs, rate)) };
    environments[environmentName] = environment;
    chosen = { ...config, environments };
  }
  return { config: chosen, environmentName, environment };
}
