// Public surface of the container estate (issue 3). Placeholder until that work lands.
import { ToolingError } from "../../lib/errors.ts";

export interface LocalOptions {
  log: (line: string) => void;
}
export type ContainerEstateStatus = Record<string, unknown>;

export async function up(_options: LocalOptions): Promise<void> {
  throw new ToolingError("local up --containers: not available yet");
}
export async function down(_options: LocalOptions): Promise<void> {
  throw new ToolingError("local down --containers: not available yet");
}
export async function status(): Promise<ContainerEstateStatus> {
  return { available: false };
}
export function formatStatus(status: ContainerEstateStatus): string {
  return `containers: ${JSON.stringify(status)}`;
}
