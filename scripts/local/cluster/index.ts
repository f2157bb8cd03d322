// Public surface of the local Kubernetes test cluster (issue 4). Placeholder until that work lands.
import { ToolingError } from "../../lib/errors.ts";

export interface ClusterOptions {
  log: (line: string) => void;
  abortSignal?: AbortSignal;
}
export type ClusterStatus = Record<string, unknown>;

export async function up(_options: ClusterOptions): Promise<void> {
  throw new ToolingError("local up --cluster: not available yet");
}
export async function down(_options: Omit<ClusterOptions, "abortSignal">): Promise<void> {
  throw new ToolingError("local down --cluster: not available yet");
}
export async function status(): Promise<ClusterStatus> {
  return { available: false };
}
export function formatStatus(status: ClusterStatus): string {
  return `cluster: ${JSON.stringify(status)}`;
}
export async function kubeconfigPath(): Promise<string> {
  throw new ToolingError("local kubeconfig: not available yet");
}
