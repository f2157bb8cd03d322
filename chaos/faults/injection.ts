// Whether a fault took effect, read from the object's status: the conditions Chaos Mesh sets and the
// per-target records (one per selected pod or container) with their phase and injection counts.
import { conditionIsTrue, type ChaosRecord, type ChaosStatus } from "./common.ts";

export interface InjectionRecord {
  /** the target: "namespace/pod" or "namespace/pod/container" */
  id: string;
  phase: string;
  injectedCount: number;
  recoveredCount: number;
  /** the message of the last failed Apply or Recover event, if the last event failed */
  lastFailure?: string;
}

export interface InjectionState {
  /** Chaos Mesh selected its targets (condition Selected) */
  selected: boolean;
  /** every selected target is injected (condition AllInjected) */
  injected: boolean;
  /** every target is recovered (condition AllRecovered) */
  recovered: boolean;
  paused: boolean;
  /** Run while the fault is on, Stop after its duration or once deleted */
  desiredPhase?: string;
  records: InjectionRecord[];
  /** targets injected at least once, even if recovered since (a pod-kill is injected once) */
  everInjected: number;
  /** failure messages of records whose last event failed: why a fault did not take effect */
  failures: string[];
}

export function injectionState(object: { status?: ChaosStatus }): InjectionState {
  const records = (object.status?.experiment?.containerRecords ?? []).map(recordOf);
  return {
    selected: conditionIsTrue(object, "Selected"),
    injected: conditionIsTrue(object, "AllInjected"),
    recovered: conditionIsTrue(object, "AllRecovered"),
    paused: conditionIsTrue(object, "Paused"),
    ...(object.status?.experiment?.desiredPhase ? { desiredPhase: object.status.experiment.desiredPhase } : {}),
    records,
    everInjected: records.filter((record) => record.injectedCount > 0 || record.phase === "Injected").length,
    failures: records.flatMap((record) => (record.lastFailure ? [`${record.id}: ${record.lastFailure}`] : [])),
  };
}

function recordOf(record: ChaosRecord): InjectionRecord {
  const last = record.events?.at(-1);
  return {
    id: record.id,
    phase: record.phase,
    injectedCount: record.injectedCount ?? 0,
    recoveredCount: record.recoveredCount ?? 0,
    ...(last?.type === "Failed" ? { lastFailure: `${last.operation} failed${last.message ? `: ${last.message}` : ""}` } : {}),
  };
}

/** One line for a journal or an error: "selected, not injected (0/1 targets; default/web-1: Apply failed: ...)". */
export function describeInjection(state: InjectionState): string {
  const flags = [state.selected ? "selected" : "not selected", state.injected ? "injected" : "not injected", ...(state.recovered ? ["recovered"] : []), ...(state.paused ? ["paused"] : [])];
  const counts = `${state.records.filter((record) => record.phase === "Injected").length}/${state.records.length} targets injected now`;
  return `${flags.join(", ")} (${[counts, ...state.failures].join("; ")})`;
}
