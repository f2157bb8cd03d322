// The API server's own words for a refusal, from an error of @kubernetes/client-node.

/** e.g. `spec.mode: Unsupported value: "some": supported values: "one", ...`; the error's message when the body says nothing. */
export function apiErrorMessage(error: unknown): string {
  const body = (error as { body?: unknown } | null)?.body;
  if (typeof body === "string") {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      return body;
    }
  }
  if (body && typeof body === "object" && "message" in body) return String((body as { message: unknown }).message);
  return error instanceof Error ? error.message : String(error);
}
