import type { RbacRule, StepKind, StepRbacRule } from "../kinds/step-kind.ts";

/** What `bulwark deploy manifests` turns into Kubernetes objects (docs/distributed.md). */
export interface DeploySettings {
  suite: string;
  namespace: string;
  /** The runner image (scripts/local/images/runner or the user's copy of it in their registry). */
  image: string;
  /** Cron schedule of the CronJob, in the cluster's time zone unless timeZone is set. */
  schedule: string;
  timeZone?: string;
  /** PersistentVolumeClaim the reports and the run history live on, between runs. */
  reportsClaim: string;
  /** --env for the gate; absent: the config's defaultEnvironment. */
  environment?: string;
  /** The config file's text, and the project's scenario files (flat: name -> text), for the ConfigMap. */
  configText: string;
  scenarioFiles: Record<string, string>;
  /** The kinds of the suite's steps: the Role grants the union of their `rbac` rules. */
  kinds: readonly StepKind[];
  /** What single steps need beyond their kind's rules (a load step whose runners are pods), maybe in other namespaces. */
  stepRules?: readonly StepRbacRule[];
}

export type Manifest = Record<string, unknown>;

/** Where the runner image looks for the project (scripts/local/images/runner/entrypoint.sh). */
export const configMount = "/etc/bulwark";
const reportsMount = "/var/lib/bulwark/reports";
/** ConfigMap keys cannot hold "/": scenario files are keyed scenario.<file> and mounted under scenarios/. */
const scenarioKey = (file: string) => `scenario.${file}`;

/**
 * The rules of each namespace the suite's service account needs: the gate's own namespace holds the
 * kinds' rules and the steps' rules without a namespace; any other namespace only the steps' rules for it.
 */
export function rulesByNamespace(settings: Pick<DeploySettings, "namespace" | "kinds" | "stepRules">): Map<string, RbacRule[]> {
  const rules = new Map<string, RbacRule[]>([[settings.namespace, settings.kinds.flatMap((kind) => kind.rbac ?? [])]]);
  for (const { namespace = settings.namespace, ...rule } of settings.stepRules ?? []) rules.set(namespace, [...(rules.get(namespace) ?? []), rule]);
  return new Map([...rules.entries()].map(([namespace, list]) => [namespace, mergeRules(list)]));
}

/** Rules merged by (apiGroups, resources): verbs united, sorted, so the Role is stable. */
function mergeRules(rules: readonly RbacRule[]): RbacRule[] {
  const byTarget = new Map<string, { apiGroups: string[]; resources: string[]; verbs: Set<string> }>();
  for (const rule of rules) {
    const apiGroups = [...rule.apiGroups].sort();
    const resources = [...rule.resources].sort();
    const key = JSON.stringify([apiGroups, resources]);
    const entry = byTarget.get(key) ?? { apiGroups, resources, verbs: new Set<string>() };
    for (const verb of rule.verbs) entry.verbs.add(verb);
    byTarget.set(key, entry);
  }
  return [...byTarget.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, entry]) => ({ apiGroups: entry.apiGroups, resources: entry.resources, verbs: [...entry.verbs].sort() }));
}

/**
 * ConfigMap, ServiceAccount, Role, RoleBinding, CronJob and a Job for a run now, all in one namespace.
 * The pods use the host's network, so a target on the node's loopback (the local cluster's loopback
 * front) is reachable as 127.0.0.1.
 */
export function deployManifests(settings: DeploySettings): Manifest[] {
  const name = `bulwark-${settings.suite}`;
  const labels = { "app.kubernetes.io/name": "bulwark", "app.kubernetes.io/component": settings.suite, "app.kubernetes.io/managed-by": "bulwark" };
  const metadata = (objectName: string) => ({ name: objectName, namespace: settings.namespace, labels });
  const scenarioNames = Object.keys(settings.scenarioFiles).sort();
  const podSpec = {
    serviceAccountName: name,
    hostNetwork: true,
    dnsPolicy: "ClusterFirstWithHostNet",
    restartPolicy: "Never",
    securityContext: { runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, runAsNonRoot: true },
    containers: [
      {
        name: "gate",
        image: settings.image,
        imagePullPolicy: "IfNotPresent",
        // The image's entrypoint copies the project from configMount into a writable folder and runs there.
        args: ["gate", settings.suite, "--out", reportsMount, ...(settings.environment ? ["--env", settings.environment] : [])],
        env: [{ name: "NO_COLOR", value: "1" }],
        volumeMounts: [
          { name: "config", mountPath: configMount, readOnly: true },
          { name: "reports", mountPath: reportsMount },
        ],
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
      },
    ],
    volumes: [
      {
        name: "config",
        configMap: {
          name,
          items: [{ key: "bulwark.config.json", path: "bulwark.config.json" }, ...scenarioNames.map((file) => ({ key: scenarioKey(file), path: `scenarios/${file}` }))],
        },
      },
      { name: "reports", persistentVolumeClaim: { claimName: settings.reportsClaim } },
    ],
  };
  const jobSpec = { backoffLimit: 0, template: { metadata: { labels }, spec: podSpec } };
  const roles = rulesByNamespace(settings);
  return [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: metadata(name),
      data: { "bulwark.config.json": settings.configText, ...Object.fromEntries(scenarioNames.map((file) => [scenarioKey(file), settings.scenarioFiles[file]!])) },
    },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: metadata(name), automountServiceAccountToken: [...roles.values()].some((rules) => rules.length > 0) },
    ...[...roles.entries()].flatMap(([namespace, rules]) => {
      const roleMetadata = { name, namespace, labels };
      return [
        { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: roleMetadata, rules },
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "RoleBinding",
          metadata: roleMetadata,
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
          subjects: [{ kind: "ServiceAccount", name, namespace: settings.namespace }],
        },
      ];
    }),
    {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: metadata(name),
      spec: {
        schedule: settings.schedule,
        ...(settings.timeZone ? { timeZone: settings.timeZone } : {}),
        // Runs share the history on one volume: never two at once.
        concurrencyPolicy: "Forbid",
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: { metadata: { labels }, spec: jobSpec },
      },
    },
    { apiVersion: "batch/v1", kind: "Job", metadata: metadata(`${name}-now`), spec: jobSpec },
  ];
}
