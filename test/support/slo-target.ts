import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";

/** The demo target's endpoints (bulwark.config.json names), which bulwark's scenarios call. */
export type EndpointName = "list-items" | "get-item" | "create-order" | "get-order";

/** How one request is answered: after delayMs (never earlier), with status (else the endpoint's success status). */
export interface Answer {
  delayMs?: number;
  status?: number;
}

/** Decides the answer of an endpoint's index-th request (0-based, in arrival order); path is the request's. */
export type Decide = (index: number, path: string) => Answer;

/** Exactly `slow` of every `outOf` requests, spread evenly: request i is slow when ⌊(i+1)·slow/outOf⌋ > ⌊i·slow/outOf⌋. */
export const spreadEvenly = (slow: number, outOf: number) => (index: number): boolean => Math.floor(((index % outOf) + 1) * slow / outOf) > Math.floor(((index % outOf) * slow) / outOf);

const now = (): number => performance.timeOrigin + performance.now();

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

function endpointOf(request: IncomingMessage, path: string): EndpointName | null {
  if (request.method === "GET" && path === "/api/items") return "list-items";
  if (request.method === "GET" && /^\/api\/items\/\d+$/.test(path)) return "get-item";
  if (request.method === "POST" && path === "/api/orders") return "create-order";
  if (request.method === "GET" && /^\/api\/orders\/[\w-]+$/.test(path)) return "get-order";
  return null;
}

/**
 * A service that answers like the demo target (same routes, same JSON shapes) with latencies and
 * statuses the test decides per endpoint and request, so the truth of every verdict is known.
 */
export class SloTarget {
  readonly url: string;
  private readonly counts = new Map<EndpointName, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private orders = 0;

  private constructor(
    private readonly server: Server,
    private readonly decide: Partial<Record<EndpointName, Decide>>,
  ) {
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  static async start(decide: Partial<Record<EndpointName, Decide>> = {}): Promise<SloTarget> {
    const server = createServer();
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const target = new SloTarget(server, decide);
    server.on("request", (request, response) => target.handle(request, response));
    return target;
  }

  /** Requests an endpoint received. */
  count(endpoint: EndpointName): number {
    return this.counts.get(endpoint) ?? 0;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const arrived = now();
    request.resume();
    const path = new URL(request.url ?? "/", "http://target.invalid").pathname;
    if (path === "/health") return send(response, 200, { status: "ok" });
    const endpoint = endpointOf(request, path);
    if (!endpoint) return send(response, 404, { error: "not found" });
    const index = this.count(endpoint);
    this.counts.set(endpoint, index + 1);
    const answer = this.decide[endpoint]?.(index, path) ?? {};
    const reply = () => {
      if (answer.status !== undefined) return send(response, answer.status, { error: "decided by the test" });
      if (endpoint === "list-items") return send(response, 200, { page: 1, pageSize: 3, total: 3, items: [{ id: 1 }, { id: 2 }, { id: 3 }] });
      if (endpoint === "get-item") return send(response, 200, { id: Number(path.split("/").at(-1)), name: "item" });
      if (endpoint === "create-order") return send(response, 201, { id: `order-${++this.orders}`, itemId: 1, quantity: 1 });
      return send(response, 200, { id: path.split("/").at(-1), itemId: 1, quantity: 1 });
    };
    this.answerAt(arrived + (answer.delayMs ?? 0), reply);
  }

  /** Never earlier than due: Node's timers may fire up to a millisecond early, so re-arm. */
  private answerAt(due: number, reply: () => void): void {
    const remaining = due - now();
    if (remaining <= 0) return reply();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.answerAt(due, reply);
    }, Math.ceil(remaining));
    this.timers.add(timer);
  }
}
