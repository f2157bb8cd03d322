import type { Estate } from "../kinds/step-kind.ts";
import { noFaults, type DemoFaults } from "../demo-target/faults.ts";
import { startDemoTarget } from "../demo-target/launch.ts";

/**
 * The local estate as the step kinds see it: the demo target (with --demo-fault), PostgreSQL containers,
 * the local test cluster and the local monitoring. Nothing here starts the cluster or monitoring:
 * `bulwark local up` does.
 */
export function localEstate(demoFaults: DemoFaults = noFaults): Estate {
  return {
    startDemoTarget: () => startDemoTarget(demoFaults),
    postgresContainers: async () => (await import("../local/containers/postgres.ts")).postgresContainers,
    localCluster: async () => ({ kubeconfig: await (await import("../local/cluster/index.ts")).kubeconfigPath() }),
    localMonitoring: async () => (await import("../local/monitoring/index.ts")).connect(),
    monitoringTools: async () => {
      const { runPromtool, runAmtool } = await import("../local/monitoring/index.ts");
      return { promtool: runPromtool, amtool: runAmtool };
    },
  };
}
