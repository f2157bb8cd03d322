import type { Estate } from "../kinds/step-kind.ts";
import { noFaults, type DemoFaults } from "../demo-target/faults.ts";
import { startDemoTarget } from "../demo-target/launch.ts";

/** The local estate as the step kinds see it: the demo target (with --demo-fault) and PostgreSQL containers. */
export function localEstate(demoFaults: DemoFaults = noFaults): Estate {
  return {
    startDemoTarget: () => startDemoTarget(demoFaults),
    postgresContainers: async () => (await import("../local/containers/postgres.ts")).postgresContainers,
  };
}
