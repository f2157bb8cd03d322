import { ToolingError } from "../../core/errors.ts";

/** GET of a monitoring API on `baseUrl`; an unreachable service is a ToolingError naming it (exit 3). */
export async function reachApi(service: string, baseUrl: string, path: string): Promise<Response> {
  try {
    return await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(5_000) });
  } catch (error) {
    throw new ToolingError(`${service} at ${baseUrl} is unreachable: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`);
  }
}
