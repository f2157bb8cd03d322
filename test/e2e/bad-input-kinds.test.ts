/**
 * The bad-input corpus for the step kinds and commands added after it: alert checks and rules, rollout
 * checks, deploy manifests|image, --runners and BULWARK_RUNNERS, local up|down|status --monitoring, the
 * environment keys kubernetes, monitoring and production, --confirm-production, and the demo target's
 * fault switch and /metrics. The contract per case is the corpus's (test/support/bad-input-contract.ts):
 * the exit code, one stderr line naming the field or argument, no stack trace, nothing written outside
 * --out (nothing at all for exit 2), no secret in any output or file.
 *
 * None of these cases needs the local cluster or monitoring: every command runs with
 * BULWARK_CLUSTER_STATE_DIR and BULWARK_MONITORING_STATE_DIR pointing at empty folders of its sandbox,
 * so a case that got past validation meets "not running" (exit 3) and never the shared estate. Cases that
 * need the API server's answer (no such Deployment, a refused change) are test/cluster/bad-input-kinds.test.ts.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { startDemoTarget, type RunningDemoTarget } from "../../scripts/demo-target/launch.ts";
import { noFaults } from "../../scripts/demo-target/faults.ts";
import { waitFor } from "../../scripts/core/wait-for.ts";
import { bearerToken, cleanEnvironment, expectContract, makeSandbox, runBulwark, stackTrace, urlPassword, type CliCase, type Sandbox } from "../support/bad-input-contract.ts";

type Config = Record<string, any>;

/** Empty state folders in the sandbox: the cluster and the monitoring estate "not running". */
function isolatedEstate(sandbox: Sandbox): Record<string, string> {
  const cluster = join(sandbox.root, "no-cluster");
  const monitoring = join(sandbox.root, "no-monitoring");
  mkdirSync(cluster, { recursive: true });
  mkdirSync(monitoring, { recursive: true });
  return { BULWARK_CLUSTER_STATE_DIR: cluster, BULWARK_MONITORING_STATE_DIR: monitoring };
}

/** Every case runs against the isolated estate, plus its own variables. */
const isolated = (testCase: CliCase): CliCase => ({ ...testCase, env: (sandbox) => ({ ...isolatedEstate(sandbox), ...(testCase.env?.(sandbox) ?? {}) }) });

/** A file in the sandbox with this text. */
function sandboxFile(sandbox: Sandbox, name: string, text: string): string {
  const path = join(sandbox.root, name);
  writeFileSync(path, text);
  return path;
}

/** A kubeconfig of one cluster `c` at `server`, context `x`; `cluster` adds keys to the cluster entry. */
const kubeconfigText = (server: string, cluster = ""): string =>
  ["apiVersion: v1", "kind: Config", "clusters:", "- name: c", "  cluster:", `    server: '${server}'`, ...(cluster ? [`    ${cluster}`] : []), "contexts:", "- name: x", "  context:", "    cluster: c", "    user: u", "current-context: x", "users:", "- name: u", "  user: {}", ""].join("\n");

// ---------------------------------------------------------------- alert checks and rules
const alertCheck = (mutate: (check: Config, config: Config) => void) => (s: Sandbox) => ["alert", "alert-errors-demo", "--config", s.config((c) => mutate(c.alertChecks["alert-errors-demo"], c))];
const budget = (value: unknown) => alertCheck((check) => (check.budgets.fireWithin = value));
const monitoring = (value: unknown) => alertCheck((_, c) => (c.environments.local.monitoring = value));
const withoutNotify = (value: unknown) =>
  alertCheck((check, c) => {
    delete check.notify;
    c.environments.local.monitoring = value;
  });

const alertCases: CliCase[] = [
  { name: "alert without a check", args: () => ["alert"], code: 2, line: /^bulwark: alert: name an alert check, or 'list'/ },
  { name: "an unknown alert check", args: () => ["alert", "nope"], code: 2, line: /alert: unknown alert check 'nope' \(known: alert-errors-demo, demo-rules\)/ },
  { name: "an alert check name with ../", args: () => ["alert", "../etc/passwd"], code: 2, line: /alert: unknown alert check '\.\.\/etc\/passwd'/ },
  { name: "__proto__ as an alert check", args: () => ["alert", "__proto__"], code: 2, line: /alert: unknown alert check '__proto__'/ },
  { name: "an alert check name with a newline stays one line", args: () => ["alert", "a\nb"], code: 2, line: /alert: unknown alert check 'a\\nb'/ },
  { name: "a second argument to alert list", args: () => ["alert", "list", "x\ny"], code: 2, line: /alert: unexpected argument 'x\\ny'/ },
  { name: "alert list with an unknown --env", args: () => ["alert", "list", "--env", "moon"], code: 2, line: /--env: unknown environment 'moon'/ },
  { name: "--env twice with different values", args: () => ["alert", "alert-errors-demo", "--env", "local", "--env", "moon"], code: 2, line: /alert: --env given twice with different values \('local' and 'moon'\)/ },
  { name: "a misspelled alert flag", args: () => ["alert", "alert-errors-demo", "--budget", "5s"], code: 2, line: /alert: Unknown option '--budget'/ },
  { name: "alertChecks as an array", args: (s) => ["alert", "list", "--config", s.config((c) => (c.alertChecks = []))], code: 2, line: /alertChecks: Invalid input: expected record, received array/ },
  { name: "alertRules as null", args: (s) => ["alert", "list", "--config", s.config((c) => (c.alertRules = null))], code: 2, line: /alertRules: Invalid input: expected record, received null/ },
  { name: "an alert check name with a space", args: (s) => ["alert", "list", "--config", s.config((c) => (c.alertChecks["bad name"] = c.alertChecks["alert-errors-demo"]))], code: 2, line: /alertChecks\.bad name: must be lower-case ASCII/ },
  { name: "an alert check name of 64 characters", args: (s) => ["alert", "list", "--config", s.config((c) => (c.alertChecks["a".repeat(64)] = c.alertChecks["alert-errors-demo"]))], code: 2, line: /alertChecks\.a{64}: must be lower-case ASCII .* at most 63 characters/ },
  { name: "an alert name with regex metacharacters", args: alertCheck((check) => (check.alert = "Demo.*")), code: 2, line: /alertChecks\.alert-errors-demo\.alert: must be an alert name \(alertname\) \(got "Demo\.\*"\)/ },
  { name: "a matcher label that is not a label name", args: alertCheck((check) => (check.matchers = { "ser vice": "demo" })), code: 2, line: /matchers\.ser vice: must be a Prometheus label name/ },
  { name: "a matcher on an internal label", args: alertCheck((check) => (check.matchers = { __name__: "up" })), code: 2, line: /matchers\.__name__: labels starting with __ are internal/ },
  { name: "a matcher on alertname", args: alertCheck((check) => (check.matchers = { alertname: "Other" })), code: 2, line: /matchers\.alertname: alertname is the check's `alert`/ },
  { name: "a matcher value that is not a string", args: alertCheck((check) => (check.matchers = { service: 5 })), code: 2, line: /matchers\.service: Invalid input: expected string, received number/ },
  { name: "watch naming a place twice", args: alertCheck((check) => (check.watch = ["prometheus", "prometheus"])), code: 2, line: /\.watch: name prometheus and alertmanager at most once each/ },
  { name: "watch naming nothing", args: alertCheck((check) => (check.watch = [])), code: 2, line: /\.watch: Too small/ },
  { name: "an error rate above 1", args: alertCheck((check) => (check.trigger.demoFault.errorRate = 2)), code: 2, line: /trigger\.demoFault\.errorRate: Too big: expected number to be <=1 \(got 2\)/ },
  { name: "a huge added latency", args: alertCheck((check) => (check.trigger.demoFault = { latencyMs: 1e9 })), code: 2, line: /trigger\.demoFault\.latencyMs: Too big/ },
  { name: "a fault that changes nothing", args: alertCheck((check) => (check.trigger.demoFault = { errorRate: 0 })), code: 2, line: /trigger\.demoFault: set errorRate or latencyMs/ },
  { name: "a chaos trigger naming no experiment", args: alertCheck((check) => (check.trigger = { chaos: "nope" })), code: 2, line: /alertChecks\.alert-errors-demo\.trigger\.chaos: .*'nope'/ },
  { name: "a zero budget", args: budget("0s"), code: 2, line: /budgets\.fireWithin: invalid duration "0s": must be greater than zero/ },
  { name: "a negative budget", args: budget("-1s"), code: 2, line: /budgets\.fireWithin: invalid duration "-1s"/ },
  { name: "a NaN budget", args: budget("NaNs"), code: 2, line: /budgets\.fireWithin: invalid duration "NaNs"/ },
  { name: "an Infinity budget", args: budget("Infinity"), code: 2, line: /budgets\.fireWithin: invalid duration "Infinity"/ },
  { name: "a budget in exponent notation", args: budget("1e3s"), code: 2, line: /budgets\.fireWithin: invalid duration "1e3s"/ },
  { name: "a budget in days", args: budget("30d"), code: 2, line: /budgets\.fireWithin: invalid duration "30d"/ },
  { name: "a budget over 7 days", args: budget("1000h"), code: 2, line: /budgets\.fireWithin: invalid duration "1000h": must be at most 7 days/ },
  { name: "a budget with a space before its unit", args: budget("30 s"), code: 2, line: /budgets\.fireWithin: invalid duration "30 s"/ },
  { name: "a budget as a number", args: budget(30), code: 2, line: /budgets\.fireWithin: Invalid input: expected string, received number/ },
  { name: "a misspelled budget", args: alertCheck((check) => (check.budgets.fireWithn = "5s")), code: 2, line: /budgets: Unrecognized key: "fireWithn"/ },
  { name: "a webhook port above 65535", args: alertCheck((check) => (check.notify.webhookPort = 70_000)), code: 2, line: /notify\.webhookPort: Too big/ },
  { name: "an alert check's unknown scenario", args: alertCheck((check) => (check.load.scenario = "nope")), code: 2, line: /alertChecks\.alert-errors-demo\.load\.scenario: unknown scenario 'nope'/ },
  { name: "an alert check's unknown profile", args: alertCheck((check) => (check.load.profile = "nope")), code: 2, line: /alertChecks\.alert-errors-demo\.load\.profile: unknown profile 'nope'/ },
  { name: "a suite step naming an unknown alert check", args: (s) => ["gate", "x", "--config", s.config((c) => (c.suites.x = { steps: [{ alert: "nope" }] }))], code: 2, line: /suites\.x\.steps\.0\.alert: unknown alert check 'nope'/ },
  { name: "a suite step's alert check with a newline", args: (s) => ["validate", "--config", s.config((c) => (c.suites.x = { steps: [{ alert: "a\nb" }] }))], code: 2, line: /suites\.x\.steps\.0\.alert: unknown alert check 'a\\nb'/ },
  { name: "__proto__ as a suite step's alert rules", args: (s) => ["validate", "--config", s.config((c) => (c.suites.x = { steps: [{ alertRules: "__proto__" }] }))], code: 2, line: /suites\.x\.steps\.0\.alertRules: unknown alert rules '__proto__'/ },
  { name: "runners on an alert step", args: (s) => ["validate", "--config", s.config((c) => (c.suites.x = { steps: [{ alert: "alert-errors-demo", runners: 2 }] }))], code: 2, line: /suites\.x\.steps\.0: Unrecognized key: "runners"/ },
  { name: "alert rules naming no file", args: (s) => ["alert", "demo-rules", "--config", s.config((c) => (c.alertRules["demo-rules"] = {}))], code: 2, line: /alertRules\.demo-rules: name at least one file/ },
  { name: "a rule file that does not exist", args: (s) => ["alert", "demo-rules", "--config", s.config((c) => (c.alertRules["demo-rules"].ruleFiles = [join(s.root, "nope.yml")]))], code: 2, line: /alertRules\.demo-rules\.ruleFiles\.0: file .*nope\.yml not found/ },
  { name: "a rule file that is a folder", args: (s) => ["alert", "demo-rules", "--config", s.config((c) => (c.alertRules["demo-rules"].ruleTests = [s.root]))], code: 2, line: /alertRules\.demo-rules\.ruleTests\.0: file .* is not a regular file/ },
  { name: "alert rules named like an alert check", args: (s) => ["alert", "list", "--config", s.config((c) => (c.alertRules["alert-errors-demo"] = c.alertRules["demo-rules"]))], code: 2, line: /alertRules\.alert-errors-demo: also an alert check's name/ },
  { name: "an environment without monitoring", args: alertCheck((_, c) => delete c.environments.local.monitoring), code: 2, line: /alertChecks\.alert-errors-demo: environment 'local' has no monitoring/ },
  { name: "monitoring as an array", args: monitoring([]), code: 2, line: /environments\.local\.monitoring: Invalid input: expected object, received array/ },
  { name: "a Prometheus URL that is not http", args: monitoring({ prometheusUrl: "ftp://127.0.0.1:9090" }), code: 2, line: /monitoring\.prometheusUrl: Invalid URL \(got "ftp:\/\/127\.0\.0\.1:9090"\)/ },
  { name: "a Prometheus URL with a password", args: monitoring({ prometheusUrl: `http://admin:${urlPassword}@127.0.0.1:9090` }), code: 2, line: /monitoring\.prometheusUrl: must not carry credentials/ },
  { name: "the local monitoring and a Prometheus URL", args: monitoring({ local: true, prometheusUrl: "http://10.0.0.1:9090" }), code: 2, line: /monitoring\.prometheusUrl: only without local: true/ },
  { name: "monitoring.local as a string", args: monitoring({ local: "yes" }), code: 2, line: /monitoring\.local: Invalid input: expected boolean, received string/ },
  { name: "monitoring URLs without an Alertmanager", args: withoutNotify({ prometheusUrl: "http://127.0.0.1:9" }), code: 2, line: /environments\.local\.monitoring\.alertmanagerUrl: needed to watch Alertmanager/ },
  { name: "a Prometheus that does not answer", args: withoutNotify({ prometheusUrl: "http://127.0.0.1:9", alertmanagerUrl: "http://127.0.0.1:9" }), code: 3, line: /^bulwark: Prometheus at http:\/\/127\.0\.0\.1:9 is unreachable/ },
  { name: "the local monitoring not running", args: () => ["alert", "alert-errors-demo"], code: 3, line: /^bulwark: local monitoring is not running; start it with `bulwark local up --monitoring`$/ },
  { name: "a monitoring state file that is not the estate's", args: () => ["alert", "alert-errors-demo"], env: (s) => (writeFileSync(join(s.root, "no-monitoring", "state.json"), "{}"), {}), code: 3, line: /local monitoring is not running/ },
  { name: "a relative BULWARK_MONITORING_STATE_DIR", args: () => ["alert", "alert-errors-demo"], env: () => ({ BULWARK_MONITORING_STATE_DIR: "monitoring" }), code: 2, line: /^bulwark: BULWARK_MONITORING_STATE_DIR=monitoring: must be an absolute path$/ },
  { name: "a demo fault where there is no demo target", args: alertCheck((_, c) => Object.assign(c.environments.local, { demo: false, baseUrl: "http://127.0.0.1:9" })), code: 2, line: /trigger\.demoFault: environment 'local' has no demo target/ },
];

// ---------------------------------------------------------------- rollout checks, kubernetes, production
const rolloutCheck = (mutate: (check: Config, config: Config) => void) => (s: Sandbox) => ["rollout", "rollout-demo", "--config", s.config((c) => mutate(c.rolloutChecks["rollout-demo"], c))];
const kubernetes = (value: (s: Sandbox) => unknown) => (s: Sandbox) => ["rollout", "rollout-demo", "--config", s.config((c) => (c.environments.local.kubernetes = value(s)))];
const kubeconfigFile = (text: string, extra: Config = {}) => kubernetes((s) => ({ kubeconfig: sandboxFile(s, "kubeconfig", text), ...extra }));

const rolloutCases: CliCase[] = [
  { name: "rollout without a check", args: () => ["rollout"], code: 2, line: /^bulwark: rollout: name a rollout check, or 'list'/ },
  { name: "an unknown rollout check", args: () => ["rollout", "nope"], code: 2, line: /rollout: unknown rollout check 'nope' \(known: rollout-demo, bad-release-demo\)/ },
  { name: "hasOwnProperty as a rollout check", args: () => ["rollout", "hasOwnProperty"], code: 2, line: /rollout: unknown rollout check 'hasOwnProperty'/ },
  { name: "a rollout check name with a newline", args: () => ["rollout", "roll\nout"], code: 2, line: /rollout: unknown rollout check 'roll\\nout'/ },
  { name: "a second rollout argument", args: () => ["rollout", "rollout-demo", "bad-release-demo"], code: 2, line: /rollout: unexpected argument 'bad-release-demo'/ },
  { name: "rollout list with BULWARK_ENV naming no environment", args: () => ["rollout", "list"], env: () => ({ BULWARK_ENV: "moon" }), code: 2, line: /^bulwark: BULWARK_ENV=moon: unknown environment 'moon'/ },
  { name: "a misspelled rollout flag", args: () => ["rollout", "rollout-demo", "--confirm-prod", "local"], code: 2, line: /rollout: Unknown option '--confirm-prod'/ },
  { name: "an empty --confirm-production", args: () => ["rollout", "rollout-demo", "--confirm-production", ""], code: 2, line: /^bulwark: --confirm-production: names '' but the rollout would run in environment 'local'; nothing was changed$/ },
  { name: "--confirm-production naming another environment", args: () => ["rollout", "rollout-demo", "--confirm-production", "prod"], code: 2, line: /--confirm-production: names 'prod' but the rollout would run in environment 'local'/ },
  { name: "--confirm-production naming another environment in a gate of load steps", args: () => ["gate", "nightly", "--confirm-production", "prod"], code: 2, line: /^bulwark: --confirm-production: names 'prod' but the run is in environment 'local'; nothing was started$/ },
  { name: "an empty --confirm-production for an alert check", args: () => ["alert", "alert-errors-demo", "--confirm-production", ""], code: 2, line: /^bulwark: --confirm-production: names '' but the run is in environment 'local'/ },
  { name: "a production environment without --confirm-production", args: rolloutCheck((_, c) => (c.environments.local.production = true)), code: 2, line: /--confirm-production: environment 'local' is a production environment .*pass --confirm-production local/ },
  { name: "production as a string", args: rolloutCheck((_, c) => (c.environments.local.production = "yes")), code: 2, line: /environments\.local\.production: Invalid input: expected boolean, received string/ },
  { name: "rolloutChecks as a number", args: (s) => ["rollout", "list", "--config", s.config((c) => (c.rolloutChecks = 5))], code: 2, line: /rolloutChecks: Invalid input: expected record, received number/ },
  { name: "a rollout check name with unicode", args: (s) => ["rollout", "list", "--config", s.config((c) => (c.rolloutChecks["rölla"] = c.rolloutChecks["rollout-demo"]))], code: 2, line: /rolloutChecks\.rölla: must be lower-case ASCII/ },
  { name: "a namespace with a space", args: rolloutCheck((check) => (check.namespace = "bulwark demo")), code: 2, line: /rolloutChecks\.rollout-demo\.namespace: must be a Kubernetes namespace name/ },
  { name: "a namespace of 64 characters", args: rolloutCheck((check) => (check.namespace = "n".repeat(64))), code: 2, line: /rolloutChecks\.rollout-demo\.namespace: must be a Kubernetes namespace name/ },
  { name: "a Deployment name with ../", args: rolloutCheck((check) => (check.deployment = "../demo")), code: 2, line: /rolloutChecks\.rollout-demo\.deployment: must be a Kubernetes object name/ },
  { name: "a change that is empty", args: rolloutCheck((check) => (check.change = {})), code: 2, line: /rolloutChecks\.rollout-demo\.change: give exactly one of image or templatePatch/ },
  { name: "an image with a space", args: rolloutCheck((check) => (check.change = { image: "bad image" })), code: 2, line: /rolloutChecks\.rollout-demo\.change\.image: must be an image reference .*\(got "bad image"\)/ },
  { name: "an image with a newline", args: rolloutCheck((check) => (check.change = { image: "demo\n:2" })), code: 2, line: /rolloutChecks\.rollout-demo\.change\.image: must be an image reference .*\(got "demo\\n:2"\)/ },
  { name: "an image with an upper-case path", args: rolloutCheck((check) => (check.change = { image: "Bulwark/Demo:2" })), code: 2, line: /change\.image: must be an image reference/ },
  { name: "an empty image", args: rolloutCheck((check) => (check.change = { image: "" })), code: 2, line: /change\.image: must be an image reference/ },
  { name: "a container name that is not a name", args: rolloutCheck((check) => (check.change.container = "App Server")), code: 2, line: /change\.container: must be a Kubernetes container name/ },
  { name: "a template patch that is an array", args: rolloutCheck((check) => (check.change = { templatePatch: [] })), code: 2, line: /change\.templatePatch: Invalid input: expected record, received array/ },
  { name: "a rollout check's unknown scenario", args: rolloutCheck((check) => (check.load.scenario = "nope\n")), code: 2, line: /rolloutChecks\.rollout-demo\.load\.scenario: unknown scenario 'nope\\n'/ },
  { name: "a rollout check's unknown profile", args: rolloutCheck((check) => (check.load.profile = "../rollout")), code: 2, line: /rolloutChecks\.rollout-demo\.load\.profile: unknown profile '\.\.\/rollout'/ },
  { name: "a zero before", args: rolloutCheck((check) => (check.before = "0s")), code: 2, line: /rolloutChecks\.rollout-demo\.before: invalid duration "0s": must be greater than zero/ },
  { name: "a before of many days", args: rolloutCheck((check) => (check.before = "999999h")), code: 2, line: /rolloutChecks\.rollout-demo\.before: invalid duration "999999h": must be at most 7 days/ },
  { name: "completes without completesWithin", args: rolloutCheck((check) => delete check.expect.completesWithin), code: 2, line: /expect\.completesWithin: required when outcome is completes/ },
  { name: "an unknown outcome", args: rolloutCheck((check) => (check.expect.outcome = "done")), code: 2, line: /expect\.outcome: Invalid option/ },
  { name: "an SLO without a load", args: rolloutCheck((check) => delete check.load), code: 2, line: /expect\.slo: needs a load/ },
  { name: "a zero timeout", args: rolloutCheck((check) => (check.timeout = "0ms")), code: 2, line: /rolloutChecks\.rollout-demo\.timeout: invalid duration "0ms": must be greater than zero/ },
  { name: "a timeout shorter than the budget", args: rolloutCheck((check) => (check.timeout = "1s")), code: 2, line: /rolloutChecks\.rollout-demo\.timeout: 1s is shorter than expect\.completesWithin \(30s\): the budget could never be met/ },
  { name: "a NaN readiness timeout", args: rolloutCheck((check) => (check.detect = { readinessTimeout: "NaN" })), code: 2, line: /detect\.readinessTimeout: invalid duration "NaN"/ },
  { name: "a suite step naming an unknown rollout check", args: (s) => ["gate", "x", "--config", s.config((c) => (c.suites.x = { steps: [{ rollout: "nope" }] }))], code: 2, line: /suites\.x\.steps\.0\.rollout: unknown rollout check 'nope'/ },
  { name: "an environment without kubernetes", args: rolloutCheck((_, c) => delete c.environments.local.kubernetes), code: 2, line: /environments\.local\.kubernetes: required for rollout checks/ },
  { name: "kubernetes as an array", args: kubernetes(() => []), code: 2, line: /environments\.local\.kubernetes: Invalid input: expected object, received array/ },
  { name: "a blast radius above 1", args: kubernetes(() => ({ local: true, maxBlastRadius: 2 })), code: 2, line: /kubernetes\.maxBlastRadius: Too big/ },
  { name: "a chaos namespace that is not a name", args: kubernetes(() => ({ local: true, chaosNamespaces: ["Bad NS"] })), code: 2, line: /kubernetes\.chaosNamespaces\.0: must be lower-case ASCII/ },
  { name: "a misspelled kubernetes key", args: kubernetes(() => ({ local: true, kubeConfig: "x" })), code: 2, line: /environments\.local\.kubernetes: Unrecognized key: "kubeConfig"/ },
  { name: "the local cluster and a kubeconfig", args: kubernetes(() => ({ local: true, kubeconfig: "/etc/kubernetes/admin.conf" })), code: 2, line: /kubernetes\.kubeconfig: only without local: true/ },
  { name: "an empty kubeconfig path", args: kubernetes(() => ({ kubeconfig: "" })), code: 2, line: /kubernetes\.kubeconfig: Too small/ },
  { name: "a kubeconfig that does not exist", args: kubernetes(() => ({ kubeconfig: "/no/such/kubeconfig" })), code: 2, line: /^bulwark: environments\.local\.kubernetes\.kubeconfig: no such file: \/no\/such\/kubeconfig$/ },
  { name: "a kubeconfig path with a newline", args: kubernetes(() => ({ kubeconfig: "/no/such\nkubeconfig" })), code: 2, line: /kubernetes\.kubeconfig: no such file: \/no\/such\\nkubeconfig$/ },
  { name: "a kubeconfig that is a folder", args: kubernetes((s) => ({ kubeconfig: s.root })), code: 2, line: /kubernetes\.kubeconfig: not a regular file: / },
  { name: "/dev/zero as the kubeconfig", args: kubernetes(() => ({ kubeconfig: "/dev/zero" })), code: 2, line: /kubernetes\.kubeconfig: not a regular file: \/dev\/zero/ },
  // The YAML parser quotes the file around the error; the message must not (the token below is a secret).
  { name: "a kubeconfig that is not YAML", args: kubeconfigFile(`users:\n- name: u\n  token: ${bearerToken}\n   bad: : indentation\n`), code: 2, line: /kubernetes\.kubeconfig: cannot read .*kubeconfig: .*\(\d+:\d+\)$/ },
  { name: "a kubeconfig without a current cluster", args: kubeconfigFile("[1, 2]"), code: 2, line: /environments\.local\.kubernetes: the kubeconfig has no current cluster/ },
  { name: "a kubeconfig server that is not a URL", args: kubeconfigFile(kubeconfigText("not a url")), code: 2, line: /environments\.local\.kubernetes: cluster 'c' has server 'not a url', not an http\(s\) URL/ },
  { name: "a kubeconfig server with a password", args: kubeconfigFile(kubeconfigText(`https://admin:${urlPassword}@127.0.0.1:9`)), code: 2, line: /cluster 'c' has credentials in its server URL/ },
  { name: "a kubeconfig naming a missing certificate authority", args: kubeconfigFile(kubeconfigText("https://127.0.0.1:9", "certificate-authority: /no/such/ca.crt")), code: 2, line: /the kubeconfig's certificate-authority \/no\/such\/ca\.crt does not exist/ },
  { name: "a kubeconfig context that does not exist", args: kubeconfigFile(kubeconfigText("https://127.0.0.1:9"), { context: "nope" }), code: 2, line: /kubernetes\.context: no context 'nope' in the kubeconfig \(known: x\)/ },
  { name: "a kubeconfig context with a newline", args: kubeconfigFile(kubeconfigText("https://127.0.0.1:9"), { context: "a\nb" }), code: 2, line: /kubernetes\.context: no context 'a\\nb'/ },
  { name: "KUBECONFIG naming a folder", args: kubernetes(() => ({})), env: (s) => ({ KUBECONFIG: s.root }), code: 2, line: /^bulwark: KUBECONFIG .*: not a regular file: / },
  { name: "a cluster that does not answer", args: kubeconfigFile(kubeconfigText("https://127.0.0.1:9")), code: 3, line: /^bulwark: environments\.local\.kubernetes \(kubeconfig .*\): the Kubernetes API server at https:\/\/127\.0\.0\.1:9 is unreachable/ },
  { name: "the local cluster not running", args: () => ["rollout", "rollout-demo"], code: 3, line: /^bulwark: local kubeconfig: the cluster is not running; start it with `bulwark local up --cluster`$/ },
];

// ---------------------------------------------------------------- deploy manifests|image
const manifests = (...flags: string[]) => () => ["deploy", "manifests", ...flags];

const deployCases: CliCase[] = [
  { name: "deploy without a subcommand", args: () => ["deploy"], code: 2, line: /deploy: missing expected 'manifests' or 'image'/ },
  { name: "a misspelled deploy subcommand", args: () => ["deploy", "manifest"], code: 2, line: /deploy: unknown subcommand 'manifest'/ },
  { name: "a deploy subcommand with a newline", args: () => ["deploy", "mani\nfests"], code: 2, line: /deploy: unknown subcommand 'mani\\nfests'/ },
  { name: "a second deploy argument", args: manifests("nightly"), code: 2, line: /deploy: unexpected argument 'nightly'/ },
  { name: "--out for deploy", args: manifests("--out", "x"), code: 2, line: /deploy: Unknown option '--out'/ },
  { name: "manifests flags for deploy image", args: () => ["deploy", "image", "--suite", "nightly"], code: 2, line: /^bulwark: deploy image: --suite only goes with manifests$/ },
  { name: "an unknown --suite", args: manifests("--suite", "weekly"), code: 2, line: /--suite: unknown suite 'weekly'/ },
  { name: "an empty --suite", args: manifests("--suite", ""), code: 2, line: /--suite: unknown suite ''/ },
  { name: "a suite name too long for Kubernetes", args: (s) => ["deploy", "manifests", "--suite", "s".repeat(50), "--config", s.config((c) => (c.suites["s".repeat(50)] = c.suites.nightly))], code: 2, line: /--suite: 's{50}' is not a Kubernetes name/ },
  { name: "a namespace with a space", args: manifests("--namespace", "bulwark perf"), code: 2, line: /--namespace: 'bulwark perf' is not a Kubernetes name/ },
  { name: "an empty namespace", args: manifests("--namespace", ""), code: 2, line: /--namespace: '' is not a Kubernetes name/ },
  { name: "an upper-case reports claim", args: manifests("--reports-claim", "Reports"), code: 2, line: /--reports-claim: 'Reports' is not a Kubernetes name/ },
  { name: "an empty --image", args: manifests("--image", ""), code: 2, line: /--image: '' must be an image reference/ },
  { name: "an --image with a space", args: manifests("--image", "bulwark runner"), code: 2, line: /--image: 'bulwark runner' must be an image reference/ },
  { name: "an --image with a newline", args: manifests("--image", "bulwark/runner\n:latest"), code: 2, line: /--image: 'bulwark\/runner\\n:latest' must be an image reference/ },
  { name: "a schedule of four fields", args: manifests("--schedule", "0 2 * *"), code: 2, line: /--schedule: '0 2 \* \*' is not a cron schedule: has 4 fields/ },
  { name: "a schedule of words", args: manifests("--schedule", "a b c d e"), code: 2, line: /--schedule: 'a b c d e' is not a cron schedule: minute: 'a' is not a number/ },
  { name: "a schedule out of range", args: manifests("--schedule", "0 24 * * *"), code: 2, line: /is not a cron schedule: hour: '24' is outside 0-23/ },
  { name: "a schedule with a zero step", args: manifests("--schedule", "*/0 * * * *"), code: 2, line: /is not a cron schedule: minute: '\*\/0': the step after \/ must be a whole number from 1/ },
  { name: "a schedule with a backwards range", args: manifests("--schedule", "0 2 * * fri-mon"), code: 2, line: /day of week: 'fri-mon' is a range that ends before it starts/ },
  { name: "a schedule with a newline", args: manifests("--schedule", "0 2 * *\n*"), code: 2, line: /--schedule: '0 2 \* \*\\n\*' is not a cron schedule: may hold only/ },
  { name: "an unknown schedule macro", args: manifests("--schedule", "@fortnightly"), code: 2, line: /--schedule: '@fortnightly' is not a cron schedule: unknown macro/ },
  { name: "--schedule twice with different values", args: manifests("--schedule", "0 2 * * *", "--schedule", "0 3 * * *"), code: 2, line: /deploy: --schedule given twice with different values/ },
  { name: "an unknown time zone", args: manifests("--time-zone", "Mars/Olympus_Mons"), code: 2, line: /--time-zone: 'Mars\/Olympus_Mons' is not a time zone this machine knows/ },
  { name: "an empty time zone", args: manifests("--time-zone", ""), code: 2, line: /--time-zone: '' is not a time zone name/ },
  { name: "a time zone with ../", args: manifests("--time-zone", "../../etc/passwd"), code: 2, line: /--time-zone: '\.\.\/\.\.\/etc\/passwd' is not a time zone name/ },
  { name: "a time zone in the wrong case", args: manifests("--time-zone", "europe/berlin"), code: 2, line: /--time-zone: 'europe\/berlin' is written Europe\/Berlin/ },
  { name: "an unknown --env for the gate", args: manifests("--env", "moon"), code: 2, line: /--env: unknown environment 'moon'/ },
  { name: "a deploy --config that is a folder", args: (s) => ["deploy", "manifests", "--config", s.root], code: 2, line: /--config: not a regular file: / },
  { name: "a deploy config that is an array", args: (s) => ["deploy", "manifests", "--config", s.rawConfig("[]")], code: 2, line: /\(root\): Invalid input: expected object, received array/ },
];

// ---------------------------------------------------------------- --runners and BULWARK_RUNNERS
const runnersFlag = (value: string): CliCase => ({ name: `--runners ${JSON.stringify(value)}`, args: () => ["run", "smoke", "--runners", value], code: 2, line: new RegExp(`^bulwark: --runners: '${value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}' is not a whole number from 1 to 64$`) });
const runnersVariable = (value: string, shown = value): CliCase => ({ name: `BULWARK_RUNNERS=${JSON.stringify(value)}`, args: () => ["run", "smoke"], env: () => ({ BULWARK_RUNNERS: value }), code: 2, line: new RegExp(`^bulwark: BULWARK_RUNNERS=${shown}: '${shown}' is not a whole number from 1 to 64$`) });
const suiteRunners = (value: unknown, line: RegExp): CliCase => ({ name: `a suite step with runners ${JSON.stringify(value)}`, args: (s) => ["gate", "x", "--config", s.config((c) => (c.suites.x = { steps: [{ scenario: "smoke", runners: value }] }))], code: 2, line });

const runnersCases: CliCase[] = [
  ...["abc", "0", "65", "1e3", "1.5", "", "NaN", "Infinity", "99999999999999999999", "+2", "0x2", "2abc"].map(runnersFlag),
  { name: "--runners -1", args: () => ["run", "smoke", "--runners", "-1"], code: 2, line: /run: Option '--runners' argument is ambiguous/ },
  { name: "--runners twice with different values", args: () => ["run", "smoke", "--runners", "2", "--runners", "3"], code: 2, line: /run: --runners given twice with different values \('2' and '3'\)/ },
  ...["abc", "0", "65", "1e3", "-1"].map((value) => runnersVariable(value)),
  runnersVariable("2\n3", "2\\\\n3"),
  { name: "--runners on gate", args: () => ["gate", "nightly", "--runners", "2"], code: 2, line: /gate: Unknown option '--runners'/ },
  suiteRunners(0, /suites\.x\.steps\.0\.runners: Too small: expected number to be >=1/),
  suiteRunners(65, /suites\.x\.steps\.0\.runners: Too big: expected number to be <=64/),
  suiteRunners("2", /suites\.x\.steps\.0: Invalid input/),
  suiteRunners(1.5, /suites\.x\.steps\.0: Invalid input/),
];

// ---------------------------------------------------------------- local (never a case that could start or stop anything)
const localCases: CliCase[] = [
  { name: "local without an action", args: () => ["local"], code: 2, line: /local: expected one of up\|down\|status\|kubeconfig, got nothing/ },
  { name: "a misspelled local action", args: () => ["local", "upp"], code: 2, line: /local: expected one of up\|down\|status\|kubeconfig, got 'upp'/ },
  { name: "a local action with a newline", args: () => ["local", "u\np"], code: 2, line: /local: expected one of .*, got 'u\\np'/ },
  { name: "a second local argument", args: () => ["local", "status", "monitoring"], code: 2, line: /local status: unexpected argument 'monitoring'/ },
  { name: "a value for --monitoring", args: () => ["local", "status", "--monitoring=yes"], code: 2, line: /local: Option '--monitoring' does not take an argument/ },
  { name: "--real-node with status", args: () => ["local", "status", "--monitoring", "--real-node"], code: 2, line: /local status: --real-node only goes with up/ },
  { name: "--real-node with monitoring alone", args: () => ["local", "up", "--monitoring", "--real-node"], code: 2, line: /local up: --real-node needs the cluster/ },
  { name: "a part flag with kubeconfig", args: () => ["local", "kubeconfig", "--monitoring"], code: 2, line: /^bulwark: local kubeconfig: takes no part flag/ },
  { name: "--json with kubeconfig", args: () => ["local", "kubeconfig", "--json"], code: 2, line: /^bulwark: local kubeconfig: --json only goes with status$/ },
  { name: "kubeconfig of a cluster that is not running", args: () => ["local", "kubeconfig"], code: 3, line: /^bulwark: local kubeconfig: the cluster is not running; start it with `bulwark local up --cluster`$/ },
  { name: "status with a relative BULWARK_MONITORING_STATE_DIR", args: () => ["local", "status", "--monitoring"], env: () => ({ BULWARK_MONITORING_STATE_DIR: "relative/state" }), code: 2, line: /^bulwark: BULWARK_MONITORING_STATE_DIR=relative\/state: must be an absolute path$/ },
];

const allCases = [...alertCases, ...rolloutCases, ...deployCases, ...runnersCases, ...localCases].map(isolated);

describe("bad-input corpus of the step kinds: the CLI", () => {
  it.each(allCases.map((testCase) => [testCase.name, testCase] as const))("%s", async (_, testCase) => {
    await expectContract(testCase);
  });
});

describe("bad-input corpus of the step kinds: state that is not what bulwark wrote", () => {
  it("local status reads a foreign monitoring state file as 'not running', exit 0", async () => {
    const sandbox = makeSandbox();
    const env = isolatedEstate(sandbox);
    writeFileSync(join(env.BULWARK_MONITORING_STATE_DIR!, "state.json"), JSON.stringify({ ports: "9090", intervals: [] }));
    const { code, stdout, stderr } = await runBulwark(["local", "status", "--monitoring", "--json"], cleanEnvironment(env), join(sandbox.root, "cwd"));
    expect(code, stderr).toBe(0);
    expect(`${stdout}\n${stderr}`).not.toMatch(stackTrace);
    expect(JSON.parse(stdout).monitoring.running).toBe(false);
  });
});

// ---------------------------------------------------------------- SIGINT while runners wait for their shared start
describe("bad-input corpus of the step kinds: Ctrl-C", () => {
  it("SIGINT during the runners' start barrier: exit 130, an aborted summary, no engine left", async () => {
    const sandbox = makeSandbox();
    const child = spawn(process.execPath, [repoPath("bin", "bulwark.mjs"), "run", "smoke", "--runners", "3", "--duration", "20s", "--out", sandbox.out], {
      env: cleanEnvironment(isolatedEstate(sandbox)),
      cwd: join(sandbox.root, "cwd"),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
    await waitFor(() => stderr.includes("step 1/1"), { timeoutMs: 60_000, intervalMs: 50, description: "the load step to start" });
    child.kill("SIGINT");
    expect(await closed, stderr).toBe(130);
    expect(stderr).not.toMatch(stackTrace);
    const [runDirectory] = readdirSync(sandbox.out).filter((name) => name.includes("-run-smoke-"));
    const summary = JSON.parse(readFileSync(join(sandbox.out, runDirectory!, "summary.json"), "utf8"));
    expect(summary.verdict).toBe("aborted");
    expect(summary.exitCode).toBe(130);
    const engines = await new Promise<string>((resolve) => {
      const ps = spawn("ps", ["-eo", "args"], { stdio: ["ignore", "pipe", "ignore"] });
      let out = "";
      ps.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
      ps.on("close", () => resolve(out));
    });
    expect(engines.split("\n").filter((line) => line.includes(sandbox.out))).toEqual([]);
  });
});

// ---------------------------------------------------------------- the demo target's fault switch and metrics
describe("bad-input corpus of the step kinds: the demo target's control endpoint", () => {
  let target: RunningDemoTarget;
  const controlUrl = () => `${target.baseUrl}/control/faults`;
  const put = (body: string) => fetch(controlUrl(), { method: "PUT", headers: { "Content-Type": "application/json" }, body });
  beforeAll(async () => {
    target = await startDemoTarget(noFaults);
  });
  afterAll(async () => {
    await target?.stop();
  });

  const bodies: [string, string, number, RegExp][] = [
    ["an array", "[]", 400, /body must be a JSON object/],
    ["an array of numbers", "[1, 2]", 400, /body must be a JSON object/],
    ["null", "null", 400, /body must be a JSON object/],
    ["a string", '"fast"', 400, /body must be a JSON object/],
    ["no body", "", 400, /body must be a JSON object/],
    ["not JSON", "{latencyMs: 5", 400, /JSON/],
    ["a negative latency", '{"latencyMs": -1}', 400, /latencyMs must be a number of milliseconds from 0 to 60000/],
    ["a latency of 1e400 (Infinity)", '{"latencyMs": 1e400}', 400, /latencyMs must be a number/],
    ["a latency as a string", '{"latencyMs": "300ms"}', 400, /latencyMs must be a number/],
    ["a latency of null", '{"latencyMs": null}', 400, /latencyMs must be a number/],
    ["an error rate above 1", '{"errorRate": 1.0000001}', 400, /errorRate must be a share from 0 to 1/],
    ["an error rate as a percentage string", '{"errorRate": "50%"}', 400, /errorRate must be a share from 0 to 1/],
    ["a misspelled field", '{"latency": 300}', 400, /unknown field 'latency' \(known: latencyMs, errorRate\)/],
    ["__proto__", '{"__proto__": {"latencyMs": 300}}', 400, /unknown field '__proto__'/],
    ["a body over 64 KiB", `{"latencyMs": 0, "pad": "${"x".repeat(70 * 1024)}"}`, 413, /body larger than 65536 bytes/],
  ];

  it.each(bodies)("PUT %s is refused naming the problem, and the setting in force stays", async (_, body, status, error) => {
    expect((await put('{"latencyMs": 7, "errorRate": 0.25}')).status).toBe(200);
    const response = await put(body);
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: string }).error).toMatch(error);
    expect(await (await fetch(controlUrl())).json()).toEqual({ latencyMs: 7, errorRate: 0.25 });
  });

  it("other methods on the switch and on /metrics are 405, GET /metrics still answers", async () => {
    for (const [method, url] of [["POST", controlUrl()], ["DELETE", controlUrl()], ["POST", target.metricsUrl], ["PUT", target.metricsUrl]] as const) {
      const response = await fetch(url, { method, body: method === "DELETE" ? null : "{}" });
      expect(response.status, `${method} ${url}`).toBe(405);
      await response.body?.cancel();
    }
    const metrics = await fetch(target.metricsUrl);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^# HELP demo_http_requests_total/);
    expect((await put('{"latencyMs": 0, "errorRate": 0}')).status).toBe(200);
  });
});
