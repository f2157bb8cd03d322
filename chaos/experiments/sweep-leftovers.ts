// At the start of anything that injects Chaos Mesh faults into a namespace (an experiment, an alert
// check's chaos trigger): the managed objects a dead run left there are swept first. Only that
// namespace is listed, which is all a namespaced Role (bulwark inside the cluster) allows.
import { audit } from "../../scripts/core/audit-log.ts";
import { waitFor } from "../../scripts/core/wait-for.ts";
import { describeSweep, sweep, type ChaosApi } from "../faults/index.ts";
import type { Journal } from "./journal.ts";
import { leftoverReason, realOwnerFacts } from "./leftovers.ts";

export interface LeftoverSweepRequest {
  api: ChaosApi;
  namespace: string;
  journal: Journal;
  signal: AbortSignal;
  environmentName: string;
  runId: string;
}

/** Sweeps the leftovers of dead runs in `namespace`, run by run; each sweep is journaled and audited. */
export async function sweepLeftovers(request: LeftoverSweepRequest): Promise<void> {
  const { api, namespace, journal, signal } = request;
  const facts = realOwnerFacts();
  const scope = { namespaces: [namespace] };
  // A CRD being updated answers 429 for a moment: read again until the deadline.
  const managed = await waitFor(() => api.listManaged(scope), { timeoutMs: 15_000, intervalMs: 500, signal, description: `the list of chaos objects bulwark manages in namespace ${namespace}` });
  const leftovers = managed.flatMap((object) => {
    const reason = leftoverReason(object, facts);
    return reason ? [{ object, reason }] : [];
  });
  const runs = [...new Set(leftovers.map(({ object }) => object.metadata.labels["bulwark.dev/run-id"] ?? ""))];
  for (const runId of runs) {
    const ofRun = leftovers.filter(({ object }) => (object.metadata.labels["bulwark.dev/run-id"] ?? "") === runId);
    const result = await sweep(api, { ...(runId ? { runId } : {}), ...scope, graceMs: 5_000, signal, log: (line) => journal.record("sweep", line) });
    const names = ofRun.map(({ object, reason }) => `${object.kind} ${object.metadata.namespace}/${object.metadata.name} (${reason})`).join(", ");
    journal.record("leftover-swept", `run ${runId || "unknown"}: ${names}: ${describeSweep(result)}`);
    await audit({ action: "chaos sweep", target: names, environment: request.environmentName, runId: request.runId, result: result.stuck.length ? "failed" : "reverted", detail: describeSweep(result) });
  }
}
