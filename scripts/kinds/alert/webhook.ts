// bulwark's end of an Alertmanager webhook receiver: a listener on loopback that records when each
// notification arrived and what it said (receiver, group key, alerts).
import { createServer, type Server } from "node:http";
import { ToolingError } from "../../core/errors.ts";

export interface WebhookAlert {
  status: "firing" | "resolved";
  labels: Record<string, string>;
  startsAt: string;
  endsAt: string;
}

/** Alertmanager's webhook payload (version 4), the fields bulwark reads. */
export interface WebhookPayload {
  receiver: string;
  status: "firing" | "resolved";
  groupKey: string;
  alerts: WebhookAlert[];
}

export interface Notification {
  atMs: number;
  payload: WebhookPayload;
}

export interface WebhookListener {
  url: string;
  notifications(): readonly Notification[];
  close(): Promise<void>;
}

const maxBodyBytes = 1024 * 1024;

export function isWebhookPayload(value: unknown): value is WebhookPayload {
  const payload = value as Partial<WebhookPayload> | null;
  return typeof payload === "object" && payload !== null && typeof payload.receiver === "string" && Array.isArray(payload.alerts) && typeof payload.groupKey === "string";
}

/** Listens on 127.0.0.1:port (path `path`); a ToolingError when the port is taken (another alert check runs). */
export async function startWebhookListener(port: number, path: string): Promise<WebhookListener> {
  const received: Notification[] = [];
  const server: Server = createServer((request, response) => {
    const atMs = Date.now();
    if (request.method !== "POST" || new URL(request.url ?? "/", "http://webhook.invalid").pathname !== path) {
      response.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    request.on("end", () => {
      try {
        const payload = JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
        if (size > maxBodyBytes || !isWebhookPayload(payload)) throw new Error("not an Alertmanager webhook payload");
        received.push({ atMs, payload });
        response.writeHead(200).end();
      } catch {
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(new ToolingError(error.code === "EADDRINUSE" ? `alert webhook: 127.0.0.1:${port} is in use (another alert check running?)` : `alert webhook: cannot listen on 127.0.0.1:${port}: ${error.message}`)),
    );
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return {
    url: `http://127.0.0.1:${port}${path}`,
    notifications: () => received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
