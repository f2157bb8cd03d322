import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { ToolingError } from "../../core/errors.ts";
import { splitTargetUrl } from "./target-url.ts";

function getStatus(url: URL, authorization: string | undefined, timeoutMs: number): Promise<number> {
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(url, { method: "GET", timeout: timeoutMs, ...(authorization ? { headers: { authorization } } : {}) }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs / 1000}s`)));
    request.on("error", reject);
    request.end();
  });
}

/**
 * Checks the target answers its health endpoint before any load is planned (exit 3 when not), with
 * the target's credentials (the URL's or `authorization`) and without ever showing them.
 */
export async function preflight(baseUrl: string, healthPath: string, authorization?: string, timeoutMs = 5000): Promise<void> {
  const target = splitTargetUrl(baseUrl);
  const url = new URL(target.baseUrl + healthPath);
  let status: number;
  try {
    status = await getStatus(url, authorization ?? target.authorization, timeoutMs);
  } catch (error) {
    const reason = error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : String(error);
    throw new ToolingError(`target unreachable at preflight: GET ${url.href} failed (${reason})`);
  }
  if (status !== 200) throw new ToolingError(`target unhealthy at preflight: GET ${url.href} answered HTTP ${status}`);
}
