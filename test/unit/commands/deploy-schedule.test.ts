import { describe, expect, it } from "vitest";
import { cronScheduleProblem, timeZoneProblem } from "../../../scripts/commands/deploy-schedule.ts";
import { isImageReference } from "../../../scripts/core/image-reference.ts";

describe("CronJob schedules", () => {
  it.each(["0 2 * * *", "30 1 * * 1-5", "*/15 * * * *", "0 0 1,15 * ?", "0 9 * jan-mar mon", "5-55/10 0-23/2 1-31 1-12 0-6", "  0 2 * * *  ", "@daily", "@hourly"])("accepts %j", (schedule) => {
    expect(cronScheduleProblem(schedule)).toBeUndefined();
  });

  it.each([
    ["", /may hold only/],
    ["0 2 * *", /has 4 fields/],
    ["0 2 * * * *", /has 6 fields/],
    ["60 * * * *", /minute: '60' is outside 0-59/],
    ["0 24 * * *", /hour: '24' is outside 0-23/],
    ["0 0 0 * *", /day of month: '0' is outside 1-31/],
    ["0 0 * 13 *", /month: '13' is outside 1-12/],
    ["0 0 * * 7", /day of week: '7' is outside 0-6/],
    ["0 0 * * fri-mon", /day of week: 'fri-mon' is a range that ends before it starts/],
    ["*/0 * * * *", /minute: '\*\/0': the step after \/ must be a whole number from 1/],
    ["1/2/3 * * * *", /more than one \//],
    ["1-2-3 * * * *", /more than one -/],
    ["? * * * *", /minute: '\?' is not a number/],
    ["0 2 * * *\n", /may hold only/],
    ["0\t2 * * *", /may hold only/],
    ["@fortnightly", /unknown macro/],
    ["1,,2 * * * *", /minute: '' is not a number/],
  ])("refuses %j", (schedule, problem) => {
    expect(cronScheduleProblem(schedule)).toMatch(problem);
  });
});

describe("CronJob time zones", () => {
  it.each(["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+1"])("accepts %s", (zone) => {
    expect(timeZoneProblem(zone)).toBeUndefined();
  });
  it.each([
    ["", /not a time zone name/],
    ["../../etc/passwd", /not a time zone name/],
    ["Europe//Berlin", /not a time zone name/],
    ["Europe/Berlin ", /not a time zone name/],
    ["Mars/Olympus_Mons", /not a time zone this machine knows/],
    ["europe/berlin", /is written Europe\/Berlin/],
  ])("refuses %j", (zone, problem) => {
    expect(timeZoneProblem(zone)).toMatch(problem);
  });
});

describe("image references", () => {
  it.each(["nginx", "nginx:1.25", "bulwark/runner:latest", "bulwark/demo-rollout:bad", "registry.example/team/app:1.2", "localhost:5000/a/b:c", "Registry.Example.com/a", `app@sha256:${"a".repeat(64)}`, "ghcr.io/a_b/c-d:v1.0-rc.1"])("accepts %s", (reference) => {
    expect(isImageReference(reference)).toBe(true);
  });
  it.each(["", "bad image", "a\nb", "App", "Upper/app", "app:", ":tag", "/app", "app/", "a//b", "-app", "app:-tag", `app:${"t".repeat(129)}`, `${"a".repeat(513)}`])("refuses %j", (reference) => {
    expect(isImageReference(reference)).toBe(false);
  });
});
