import { booleanFlag, type Command } from "./command.ts";
import { UsageError } from "../core/errors.ts";
import { printJson, say } from "../core/output.ts";

const actions = ["up", "down", "status", "kubeconfig"] as const;
type Action = (typeof actions)[number];

export const localCommand: Command = {
  name: "local",
  summary: "start, stop or inspect the local estate (container engine and images, test cluster)",
  help: `Usage: bulwark local up|down|status|kubeconfig [--containers] [--cluster] [--json]

The local estate is what --env local runs against: a Docker engine with images built from a Debian
base (PostgreSQL, demo target, Prometheus, Alertmanager) and a Kubernetes cluster with simulated
(KWOK) nodes, the real control plane, metrics-server and Chaos Mesh. Without --containers or
--cluster, both parts are meant.

Flags:
  --containers   only the container engine and images
  --cluster      only the Kubernetes test cluster
  --json         machine-readable output (status)

Examples:
  bulwark local up --containers
  bulwark local status --json
  export KUBECONFIG=$(bulwark local kubeconfig)
`,
  options: {
    containers: { type: "boolean" },
    cluster: { type: "boolean" },
  },
  async run(context) {
    const [action, ...extra] = context.positionals;
    if (!action || !actions.includes(action as Action)) {
      throw new UsageError(`local: expected one of ${actions.join("|")}, got ${action ? `'${action}'` : "nothing"}`);
    }
    if (extra.length > 0) throw new UsageError(`local ${action}: unexpected argument '${extra[0]}'`);
    const onlyContainers = booleanFlag(context, "containers");
    const onlyCluster = booleanFlag(context, "cluster");
    const wantContainers = onlyContainers || !onlyCluster;
    const wantCluster = onlyCluster || !onlyContainers;
    const json = booleanFlag(context, "json");
    const containers = await import("../local/containers/index.ts");
    const cluster = await import("../local/cluster/index.ts");

    switch (action as Action) {
      case "up":
        if (wantContainers) await containers.up({ log: say });
        if (wantCluster) await cluster.up({ log: say, abortSignal: context.abortSignal });
        return 0;
      case "down":
        if (wantCluster) await cluster.down({ log: say });
        if (wantContainers) await containers.down({ log: say });
        return 0;
      case "status": {
        const status = {
          ...(wantContainers ? { containers: await containers.status() } : {}),
          ...(wantCluster ? { cluster: await cluster.status() } : {}),
        };
        if (json) printJson(status);
        else {
          if (status.containers) say(containers.formatStatus(status.containers));
          if (status.cluster) say(cluster.formatStatus(status.cluster));
        }
        return 0;
      }
      case "kubeconfig":
        process.stdout.write((await cluster.kubeconfigPath()) + "\n");
        return 0;
    }
  },
};
