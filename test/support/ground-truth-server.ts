import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";

/** Wall-clock milliseconds (epoch) with sub-millisecond precision: the clock of every arrival. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

/** What a route is told about the request it answers. */
export interface RouteRequest {
  /** 0-based position of this request among the route's requests, in arrival order. */
  index: number;
  /** Milliseconds since the route's first request arrived (0 for the first). */
  sinceFirstMs: number;
}

/** How the server answers: after delayMs (never less), with status; a redirect when location is set. */
export interface Reply {
  status?: number;
  delayMs?: number;
  location?: string;
}

/** Decides each answer of one route, so a test knows exactly what the engine was sent. */
export type Route = (request: RouteRequest) => Reply;

export interface Arrival {
  route: string;
  method: string;
  index: number;
  /** nowMs() when the request's headers were parsed. */
  at: number;
}

/**
 * An HTTP server on 127.0.0.1 whose latencies and statuses the test fixes per route, and which reports
 * what actually reached it: every request's arrival time and route, and how many TCP connections were
 * opened. Unknown routes answer 404.
 */
export class GroundTruthServer {
  readonly url: string;
  private connectionCount = 0;
  private answeredCount = 0;
  private answering = true;
  private readonly log: Arrival[] = [];
  private readonly firstArrival = new Map<string, number>();
  private readonly routeCounts = new Map<string, number>();
  private readonly pendingTimers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    private readonly routes: Record<string, Route>,
  ) {
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  static async start(routes: Record<string, Route>): Promise<GroundTruthServer> {
    const server = createServer();
    // Idle keep-alive connections must outlive a test, or the connection count would measure the timeout.
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const instance = new GroundTruthServer(server, routes);
    server.on("connection", () => instance.connectionCount++);
    server.on("request", (request, response) => instance.handle(request, response));
    return instance;
  }

  /** New TCP connections accepted so far. */
  get connections(): number {
    return this.connectionCount;
  }

  /** Arrivals in order, of one route or of all. */
  arrivals(route?: string): Arrival[] {
    return route === undefined ? [...this.log] : this.log.filter((arrival) => arrival.route === route);
  }

  count(route?: string): number {
    return this.arrivals(route).length;
  }

  /** Requests received and not (yet) answered. */
  get unanswered(): number {
    return this.log.length - this.answeredCount;
  }

  /** From now on requests are still recorded but never answered, and pending answers are dropped. */
  stopAnswering(): void {
    this.answering = false;
    for (const timer of this.pendingTimers) clearTimeout(timer);
    this.pendingTimers.clear();
  }

  async close(): Promise<void> {
    this.stopAnswering();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const at = nowMs();
    const route = new URL(request.url ?? "/", "http://localhost").pathname;
    const first = this.firstArrival.get(route) ?? at;
    this.firstArrival.set(route, first);
    const index = this.routeCounts.get(route) ?? 0;
    this.routeCounts.set(route, index + 1);
    this.log.push({ route, method: request.method ?? "", index, at });
    request.resume();
    if (!this.answering) return;
    const decide = this.routes[route];
    const reply: Reply = decide ? decide({ index, sinceFirstMs: at - first }) : { status: 404 };
    this.answerAfter(at + (reply.delayMs ?? 0), () => {
      const body = `${route} #${index}\n`;
      const headers: Record<string, string | number> = { "content-type": "text/plain", "content-length": Buffer.byteLength(body) };
      if (reply.location) headers.location = reply.location;
      response.writeHead(reply.status ?? (reply.location ? 302 : 200), headers);
      response.end(body);
      this.answeredCount++;
    });
  }

  /** Runs answer no earlier than dueMs: Node's timers may fire up to a millisecond early, so re-arm. */
  private answerAfter(dueMs: number, answer: () => void): void {
    const remaining = dueMs - nowMs();
    if (remaining <= 0) {
      if (this.answering) answer();
      return;
    }
    const timer = setTimeout(() => {
      this.pendingTimers.delete(timer);
      this.answerAfter(dueMs, answer);
    }, Math.ceil(remaining));
    this.pendingTimers.add(timer);
  }
}
