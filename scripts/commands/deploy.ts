import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { booleanFlag, stringFlag, type Command } from "./command.ts";
import { named } from "../../thresholds/load-config.ts";
import { quoteName } from "../core/quote-value.ts";
import { say } from "../core/output.ts";
import { packagePath } from "../core/project-root.ts";
import { ExitCode, ExitError, UsageError } from "../core/errors.ts";
import { loadConfig, defaultConfigPath } from "../registry/config.ts";
import { defaultRegistry } from "../registry/registry.ts";
import { projectScenariosFolder } from "../kinds/load/scenarios.ts";
import { deployManifests } from "./deploy-manifests.ts";
import { cronScheduleProblem, timeZoneProblem } from "./deploy-schedule.ts";
import { imageReferenceRule, isImageReference } from "../core/image-reference.ts";

/** A Kubernetes object name part: lowercase letters, digits and '-'. */
const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/;

function dnsFlag(value: string, flag: string): string {
  if (!dnsLabel.test(value)) throw new UsageError(`${flag}: ${quoteName(value)} is not a Kubernetes name (lowercase letters, digits and '-', at most 42 characters)`);
  return value;
}

/** The project's own scenario files (flat: the ConfigMap holds them beside the config). */
function scenarioFiles(): Record<string, string> {
  const folder = projectScenariosFolder();
  if (!existsSync(folder) || !statSync(folder).isDirectory()) return {};
  // bulwark's own config: its scenarios are the built-in ones, already in the image.
  if (realpathSync(folder) === realpathSync(packagePath("scenarios"))) return {};
  const files: Record<string, string> = {};
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.isFile() && /\.(ts|js|json)$/.test(entry.name)) files[entry.name] = readFileSync(join(folder, entry.name), "utf8");
  }
  return files;
}

export const deployCommand: Command = {
  name: "deploy",
  summary: "print Kubernetes manifests that run a suite in the cluster on a schedule",
  help: `Usage: bulwark deploy manifests [flags]
       bulwark deploy image [--real-node]

'deploy image' builds the runner image (bulwark/runner:<hash> and :latest) from the estate's base image
with this machine's Node, bulwark and its load engine, and prints its reference. With --real-node it also
imports it into the local cluster's real node (containerd, no registry: pods use imagePullPolicy Never).

Prints, as one JSON List for 'kubectl apply -f -', a ConfigMap (the config and the project's scenarios),
a ServiceAccount, a Role with only the permissions the suite's steps need (and one in runnerJob.namespace
when a step's runners are pods there), its RoleBinding, a
CronJob that runs 'bulwark gate <suite>' in the runner image, and a Job that runs it once now. Pods use
host networking; reports and the run history go to a PersistentVolumeClaim you name (docs/distributed.md).

Flags:
  --suite <name>          the suite to run (default: nightly)
  --namespace <name>      namespace of every object (default: bulwark)
  --image <ref>           runner image (default: bulwark/runner:latest, built by 'bulwark deploy image')
  --schedule <cron>       CronJob schedule (default: "0 2 * * *")
  --time-zone <tz>        CronJob time zone, e.g. Europe/Berlin (default: the cluster's)
  --reports-claim <name>  PersistentVolumeClaim for reports and history (default: bulwark-reports)
  --env <name>            environment for the gate (default: the config's defaultEnvironment)
  --config <file>         config file (default: bulwark.config.json) [BULWARK_CONFIG]

Examples:
  bulwark deploy manifests --namespace perf | kubectl apply -f -
  bulwark deploy manifests --suite release --schedule "30 1 * * 1-5" --image registry.example/bulwark-runner:0.1.0
`,
  options: {
    suite: { type: "string" },
    namespace: { type: "string" },
    image: { type: "string" },
    schedule: { type: "string" },
    "time-zone": { type: "string" },
    "reports-claim": { type: "string" },
    env: { type: "string" },
    config: { type: "string" },
    "real-node": { type: "boolean" },
  },
  async run(context) {
    const [what, ...extra] = context.positionals;
    if (what !== "manifests" && what !== "image") throw new UsageError(`deploy: ${what === undefined ? "missing" : `unknown subcommand ${quoteName(what)}:`} expected 'manifests' or 'image'`);
    if (extra.length > 0) throw new UsageError(`deploy: unexpected argument ${quoteName(extra[0]!)}`);
    if (what === "manifests" && booleanFlag(context, "real-node")) throw new UsageError("--real-node: only applies to 'deploy image'");
    if (what === "image") {
      const manifestsFlag = Object.keys(deployCommand.options).find((flag) => flag !== "real-node" && context.flags[flag] !== undefined);
      if (manifestsFlag) throw new UsageError(`deploy image: --${manifestsFlag} only goes with manifests`);
      const { ensureEngine } = await import("../kinds/load/engine-binary.ts");
      const { ensureRunnerImage } = await import("../local/containers/runner-image.ts");
      const engine = await ensureEngine(say);
      const image = await ensureRunnerImage({ engineBinary: engine.path, log: say });
      // The build does not stop on Ctrl-C (docker keeps it), but the command's answer must be "interrupted".
      if (context.abortSignal.aborted) throw new ExitError(ExitCode.aborted, "deploy image: interrupted after the build; run it again to use the image");
      if (booleanFlag(context, "real-node")) {
        const { importImageIntoRealNode } = await import("../local/cluster/index.ts");
        const started = Date.now();
        const state = await importImageIntoRealNode(image.reference);
        say(`image runner: ${state === "imported" ? `imported into the real node in ${((Date.now() - started) / 1000).toFixed(1)} s` : "already on the real node"}`);
      }
      process.stdout.write(`${image.reference}\n`);
      return 0;
    }
    const configPath = stringFlag(context, "config", "BULWARK_CONFIG") ?? defaultConfigPath();
    const config = await loadConfig(configPath, { abortSignal: context.abortSignal });
    const suiteName = stringFlag(context, "suite") ?? "nightly";
    const suite = named(config.suites, suiteName);
    if (!suite) throw new UsageError(`--suite: unknown suite ${quoteName(suiteName)} (known: ${Object.keys(config.suites).join(", ")})`);
    const environment = stringFlag(context, "env");
    if (environment !== undefined && !named(config.environments, environment)) throw new UsageError(`--env: unknown environment ${quoteName(environment)} (known: ${Object.keys(config.environments).join(", ")})`);
    const schedule = stringFlag(context, "schedule") ?? "0 2 * * *";
    const scheduleProblem = cronScheduleProblem(schedule);
    if (scheduleProblem) throw new UsageError(`--schedule: ${quoteName(schedule)} is not a cron schedule: ${scheduleProblem}`);
    const kinds = [...new Set(suite.steps.map((step) => defaultRegistry.kindOfSuiteStep(step)).filter((kind) => kind !== undefined))];
    const timeZone = stringFlag(context, "time-zone");
    const zoneProblem = timeZone === undefined ? undefined : timeZoneProblem(timeZone);
    if (timeZone !== undefined && zoneProblem) throw new UsageError(`--time-zone: ${quoteName(timeZone)} ${zoneProblem}`);
    const image = stringFlag(context, "image") ?? "bulwark/runner:latest";
    if (!isImageReference(image)) throw new UsageError(`--image: ${quoteName(image)} ${imageReferenceRule}`);
    const manifests = deployManifests({
      suite: dnsFlag(suiteName, "--suite"),
      namespace: dnsFlag(stringFlag(context, "namespace") ?? "bulwark", "--namespace"),
      image,
      schedule,
      ...(timeZone ? { timeZone } : {}),
      reportsClaim: dnsFlag(stringFlag(context, "reports-claim") ?? "bulwark-reports", "--reports-claim"),
      ...(environment ? { environment } : {}),
      configText: readFileSync(configPath, "utf8"),
      scenarioFiles: scenarioFiles(),
      kinds,
      stepRules: suite.steps.flatMap((step) => defaultRegistry.kindOfSuiteStep(step)?.stepRbac?.(step, config) ?? []),
    });
    process.stdout.write(JSON.stringify({ apiVersion: "v1", kind: "List", items: manifests }, null, 2) + "\n");
    return 0;
  },
};
