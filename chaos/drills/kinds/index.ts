import type { DrillDefinition } from "../definition.ts";
import type { KindRunner, RunnerContext } from "../kind-runner.ts";
import { CommandRunner } from "./command-runner.ts";
import { KubernetesRunner } from "./kubernetes-runner.ts";
import { PitrContainerRunner } from "./pitr-container-runner.ts";
import { PitrProcessRunner } from "./pitr-process-runner.ts";

export function createKindRunner(definition: DrillDefinition, context: RunnerContext): KindRunner {
  switch (definition.kind) {
    case "postgres-pitr":
      return definition.runner === "container" ? new PitrContainerRunner(definition, context) : new PitrProcessRunner(definition, context);
    case "command":
      return new CommandRunner(definition, context);
    case "kubernetes":
      return new KubernetesRunner(definition, context);
  }
}
