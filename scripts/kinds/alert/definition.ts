// Alert checks as data: which alert, where to watch it, what fault triggers it, the load meanwhile and
// the budgets; and static rule checks (promtool, amtool). The config keys `alertChecks` and `alertRules`.
import { z } from "zod";
import { parseDuration } from "../../../thresholds/duration.ts";
import { durationSchema as duration, nameSchema } from "../../../thresholds/schema.ts";

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "must be a Prometheus label name");

/** The demo target's runtime fault, switched on at a recorded instant and off again. */
const demoFaultTrigger = z
  .object({
    demoFault: z
      .object({
        errorRate: z.number().min(0).max(1).default(0).describe("share of /api requests answered 500"),
        latencyMs: z.number().int().min(0).max(60_000).default(0).describe("added to every /api request"),
      })
      .strict()
      .refine((fault) => fault.errorRate > 0 || fault.latencyMs > 0, "set errorRate or latencyMs: a fault that changes nothing triggers nothing"),
  })
  .strict();

/** A chaos experiment (experiments.<name>) as the trigger: its injection and recovery instants bound the fault. */
const chaosTrigger = z.object({ chaos: nameSchema.describe("chaos experiment (experiments.<name>) whose fault triggers the alert") }).strict();

export const alertCheckSchema = z
  .object({
    description: z.string().default(""),
    alert: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, "must be an alert name (alertname)").describe("the alerting rule's name (label alertname)"),
    matchers: z
      .record(
        labelName
          .refine((name) => !name.startsWith("__"), "labels starting with __ are internal to Prometheus and never on an alert")
          .refine((name) => name !== "alertname", "alertname is the check's `alert`; a matcher on it would contradict or repeat it"),
        z.string(),
      )
      .default({})
      .describe("labels the alert must carry (exact match), besides alertname"),
    watch: z
      .array(z.enum(["prometheus", "alertmanager"]))
      .min(1)
      .refine((places) => new Set(places).size === places.length, "name prometheus and alertmanager at most once each")
      .default(["prometheus", "alertmanager"])
      .describe("where the alert's state is observed: Prometheus /api/v1/alerts (pending, firing) and/or Alertmanager API v2"),
    trigger: z.union([demoFaultTrigger, chaosTrigger]).describe("the fault bulwark injects and removes"),
    load: z
      .object({ scenario: nameSchema, profile: nameSchema })
      .strict()
      .describe("the load that runs meanwhile (a long enough profile: baseline, fault until notified, recovery)"),
    budgets: z
      .object({
        fireWithin: duration.default("60s").describe("from the fault's start until the alert fires"),
        notifyWithin: duration.default("60s").describe("from the fault's start until the webhook notification arrives (with notify)"),
        resolveWithin: duration.default("5m").describe("from the fault's removal until the alert is resolved"),
      })
      .strict()
      .default({ fireWithin: "60s", notifyWithin: "60s", resolveWithin: "5m" }),
    notify: z
      .object({
        receiver: z.string().min(1).describe("the Alertmanager receiver whose webhook points at bulwark; the payload must name it"),
        webhookPort: z.number().int().min(1).max(65_535).optional().describe("port bulwark listens on (127.0.0.1) when the environment's monitoring is not the local estate"),
      })
      .strict()
      .optional()
      .describe("measure the notification: Alertmanager's webhook to bulwark's loopback listener"),
  })
  .strict();
export type AlertCheck = z.infer<typeof alertCheckSchema>;
export type AlertTrigger = AlertCheck["trigger"];

export const alertRulesSchema = z
  .object({
    description: z.string().default(""),
    ruleFiles: z.array(z.string().min(1)).default([]).describe("Prometheus rule files (`promtool check rules`), relative to the config's folder"),
    ruleTests: z.array(z.string().min(1)).default([]).describe("promtool unit test files (`promtool test rules`)"),
    alertmanagerConfigs: z.array(z.string().min(1)).default([]).describe("Alertmanager configuration files (`amtool check-config`)"),
  })
  .strict()
  .refine((rules) => rules.ruleFiles.length + rules.ruleTests.length + rules.alertmanagerConfigs.length > 0, "name at least one file in ruleFiles, ruleTests or alertmanagerConfigs");
export type AlertRules = z.infer<typeof alertRulesSchema>;

export const alertConfigShape = {
  alertChecks: z.record(nameSchema, alertCheckSchema).default({}).describe("alert checks by name (bulwark alert <name>): time from a fault to the firing alert and its notification"),
  alertRules: z.record(nameSchema, alertRulesSchema).default({}).describe("static checks of rule files and Alertmanager configs by name (bulwark alert <name>)"),
};
export type AlertConfig = z.infer<z.ZodObject<typeof alertConfigShape>>;
export const withAlerts = <Config extends object>(config: Config): Config & AlertConfig => config as Config & AlertConfig;

export interface Budgets {
  fireWithinMs: number;
  notifyWithinMs: number;
  resolveWithinMs: number;
}

export const budgetsOf = (check: AlertCheck): Budgets => ({
  fireWithinMs: parseDuration(check.budgets.fireWithin)!,
  notifyWithinMs: parseDuration(check.budgets.notifyWithin)!,
  resolveWithinMs: parseDuration(check.budgets.resolveWithin)!,
});

/** alertname plus the check's matchers: what an alert's labels must carry to be the one checked. */
export function matchesAlert(check: Pick<AlertCheck, "alert" | "matchers">, labels: Record<string, string>): boolean {
  if (labels.alertname !== check.alert) return false;
  return Object.entries(check.matchers).every(([name, value]) => labels[name] === value);
}
