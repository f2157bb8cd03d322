// `bulwark chaos <experiment> --dry-run`: the guardrails, the exact manifests a run would create, and
// the cluster's verdict on each (a server-side dry run: CRD schema and Chaos Mesh's webhooks), with
// nothing injected.
import { newRunId } from "../../scripts/core/run-directory.ts";
import type { RunContext } from "../../scripts/kinds/step-kind.ts";
import { ChaosApi, ChaosRejectedError, type ChaosObject } from "../faults/index.ts";
import { faultManifest } from "./fault-actions.ts";
import { checkExperiment } from "./kind.ts";
import type { Experiment, MethodFault } from "./schema.ts";
import { UsageError } from "../../scripts/core/errors.ts";

export interface DryRunFault {
  fault: string;
  duration: string;
  /** The Chaos Mesh object, exactly as a run sends it; absent for the demo-fault action. */
  manifest?: ChaosObject;
  demoFault?: MethodFault["demoFault"];
  /** The server's refusal, unchanged; absent when it accepted the object. */
  rejection?: string;
}

export interface DryRunPlan {
  experiment: string;
  title: string;
  environment: string;
  faults: DryRunFault[];
}

/** Every fault's manifest (shaped as a run would create it) judged by the cluster, nothing stored. */
async function judgeManifests(context: RunContext, name: string, experiment: Experiment): Promise<DryRunFault[]> {
  const runId = newRunId("chaos", name);
  const faults: DryRunFault[] = experiment.method.faults.map((entry, index) =>
    entry.fault ? { fault: entry.name, duration: entry.duration, manifest: faultManifest({ experimentName: name, experiment, runId }, entry, index) } : { fault: entry.name, duration: entry.duration, demoFault: entry.demoFault },
  );
  if (faults.some((fault) => fault.manifest)) {
    const { kubeConfigFor } = await import("../../scripts/kinds/kubernetes/cluster-access.ts");
    const api = new ChaosApi(await kubeConfigFor(context));
    for (const fault of faults) {
      if (!fault.manifest) continue;
      try {
        await api.dryRun(fault.manifest);
      } catch (error) {
        if (!(error instanceof ChaosRejectedError)) throw error;
        fault.rejection = error.serverMessage;
      }
    }
  }
  return faults;
}

export async function dryRunExperiment(context: RunContext, name: string): Promise<DryRunPlan> {
  const { experiment } = await checkExperiment(context, name, { dryRun: true });
  return { experiment: name, title: experiment.title, environment: context.environmentName, faults: await judgeManifests(context, name, experiment) };
}

/** Before a run: a manifest the cluster refuses is exit 2 with the server's message, before anything is applied. */
export async function assertClusterAccepts(context: RunContext, name: string, experiment: Experiment): Promise<void> {
  const rejected = (await judgeManifests(context, name, experiment)).find((fault) => fault.rejection);
  if (rejected) throw new UsageError(`experiments.${name}.method.faults: fault ${rejected.fault} rejected by the cluster (server-side dry run): ${rejected.rejection}; nothing was injected`);
}
