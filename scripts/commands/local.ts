import { booleanFlag, type Command } from "./command.ts";
import { ExitCode, ExitError, UsageError } from "../core/errors.ts";
import { printJson, say } from "../core/output.ts";
import { quoteName } from "../core/quote-value.ts";

const actions = ["up", "down", "status", "kubeconfig"] as const;
type Action = (typeof actions)[number];

export const localCommand: Command = {
  name: "local",
  summary: "start, stop or inspect the local estate (container engine and images, test cluster, monitoring)",
  help: `Usage: bulwark local up|down|status|kubeconfig [--containers] [--cluster] [--monitoring] [--real-node] [--json]

The local estate is what --env local runs against: a Docker engine with images built from a Debian
base (PostgreSQL, demo target, Prometheus, Alertmanager) and a Kubernetes cluster with simulated
(KWOK) nodes, the real control plane, metrics-server and Chaos Mesh. Without --containers or
--cluster, both parts are meant. --monitoring: Prometheus and Alertmanager on loopback ports, started
only when asked for (up); status and down without a part flag cover them too (docs/alerts.md).

Flags:
  --containers   only the container engine and images
  --cluster      only the Kubernetes test cluster
  --monitoring   only Prometheus and Alertmanager (alert checks, docs/alerts.md)
  --real-node    (up) also a real worker node: kubelet and containerd in a network namespace of
                 its own, tainted so only pods that tolerate it land there (docs/local-cluster.md)
  --json         machine-readable output (status)

Examples:
  bulwark local up --containers
  bulwark local up --monitoring
  bulwark local status --json
  export KUBECONFIG=$(bulwark local kubeconfig)
`,
  options: {
    containers: { type: "boolean" },
    cluster: { type: "boolean" },
    monitoring: { type: "boolean" },
    "real-node": { type: "boolean" },
  },
  async run(context) {
    const [action, ...extra] = context.positionals;
    if (!action || !actions.includes(action as Action)) {
      throw new UsageError(`local: expected one of ${actions.join("|")}, got ${action ? quoteName(action) : "nothing"}`);
    }
    if (extra.length > 0) throw new UsageError(`local ${action}: unexpected argument ${quoteName(extra[0]!)}`);
    const onlyContainers = booleanFlag(context, "containers");
    const onlyCluster = booleanFlag(context, "cluster");
    const onlyMonitoring = booleanFlag(context, "monitoring");
    const noPartNamed = !onlyContainers && !onlyCluster && !onlyMonitoring;
    const wantContainers = onlyContainers || noPartNamed;
    const wantCluster = onlyCluster || noPartNamed;
    // Monitoring is started only on request; status and down without a part flag include it.
    const wantMonitoring = onlyMonitoring || (noPartNamed && action !== "up");
    const json = booleanFlag(context, "json");
    const realNode = booleanFlag(context, "real-node");
    if (json && action !== "status") throw new UsageError(`local ${action}: --json only goes with status`);
    if (action === "kubeconfig" && !noPartNamed) throw new UsageError("local kubeconfig: takes no part flag (it prints the test cluster's kubeconfig path)");
    if (realNode && action !== "up") throw new UsageError(`local ${action}: --real-node only goes with up (down and status cover the real node too)`);
    if (realNode && !wantCluster) throw new UsageError("local up: --real-node needs the cluster (drop --containers or add --cluster)");
    const containers = await import("../local/containers/index.ts");
    const cluster = await import("../local/cluster/index.ts");
    const monitoring = await import("../local/monitoring/index.ts");

    switch (action as Action) {
      case "up": {
        // Each part finishes what it started; Ctrl-C stops before the next one and answers 130.
        const interrupted = () => {
          if (context.abortSignal.aborted) throw new ExitError(ExitCode.aborted, "local up: interrupted; parts already started keep running (bulwark local status)");
        };
        if (wantContainers) await containers.up({ log: say });
        interrupted();
        if (wantCluster) await cluster.up({ log: say, abortSignal: context.abortSignal, realNode });
        interrupted();
        if (wantMonitoring) await monitoring.up({ log: say });
        interrupted();
        return 0;
      }
      case "down":
        if (wantMonitoring) await monitoring.down({ log: say });
        if (wantCluster) await cluster.down({ log: say });
        if (wantContainers) await containers.down({ log: say });
        return 0;
      case "status": {
        const status = {
          ...(wantContainers ? { containers: await containers.status() } : {}),
          ...(wantCluster ? { cluster: await cluster.status() } : {}),
          ...(wantMonitoring ? { monitoring: await monitoring.status() } : {}),
        };
        if (json) printJson(status);
        else {
          if (status.containers) say(containers.formatStatus(status.containers));
          if (status.cluster) say(cluster.formatStatus(status.cluster));
          if (status.monitoring) say(monitoring.formatStatus(status.monitoring));
        }
        return 0;
      }
      case "kubeconfig":
        process.stdout.write((await cluster.kubeconfigPath()) + "\n");
        return 0;
    }
  },
};
