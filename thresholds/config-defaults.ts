/**
 * What a config does not need to write: the standard load profiles (the SLO defaults are in the
 * schema). A user's profile of the same name replaces the standard one; a config lists only what
 * differs from bulwark's defaults.
 */
export const standardProfiles = {
  smoke: { executor: "constant-arrival-rate", ratePerSecond: 2, duration: "10s", preAllocatedVUs: 5, maxVUs: 10 },
  load: { executor: "constant-arrival-rate", ratePerSecond: 50, duration: "5m", preAllocatedVUs: 20, maxVUs: 100 },
  stress: {
    executor: "ramping-arrival-rate",
    startRate: 10,
    stages: [
      { target: 100, duration: "2m" },
      { target: 200, duration: "3m" },
      { target: 0, duration: "1m" },
    ],
    preAllocatedVUs: 50,
    maxVUs: 300,
    abortOnFail: true,
  },
  breakpoint: { executor: "ramping-arrival-rate", startRate: 10, stages: [{ target: 2000, duration: "10m" }], preAllocatedVUs: 50, maxVUs: 1000, abortOnFail: true },
  spike: {
    executor: "ramping-arrival-rate",
    startRate: 10,
    stages: [
      { target: 300, duration: "10s" },
      { target: 300, duration: "1m" },
      { target: 10, duration: "10s" },
    ],
    preAllocatedVUs: 50,
    maxVUs: 300,
  },
  soak: { executor: "constant-arrival-rate", ratePerSecond: 30, duration: "1h", preAllocatedVUs: 20, maxVUs: 100 },
} as const;

const isMap = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The raw config with the standard profiles under its own (anything else is left to the schema to judge). */
export function withBulwarkDefaults(raw: unknown): unknown {
  if (!isMap(raw)) return raw;
  if (raw.profiles !== undefined && !isMap(raw.profiles)) return raw;
  return { ...raw, profiles: { ...standardProfiles, ...(raw.profiles ?? {}) } };
}
