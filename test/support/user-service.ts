import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small service of the user's (not the demo shop): users and orders. It counts the requests each
 * route template got, can be made slow, and can require a bearer token.
 */
export class UserService {
  readonly hits = new Map<string, number>();
  /** Added to every answer but the health check's. */
  slowMs = 0;
  /** When set, every route but /health needs `Authorization: Bearer <token>` (else 401). */
  token: string | undefined;
  #server: Server;
  url = "";

  constructor() {
    this.#server = createServer((request, response) => {
      const url = new URL(request.url ?? "/", "http://localhost");
      const route = this.#route(request.method ?? "GET", url.pathname);
      this.hits.set(route, (this.hits.get(route) ?? 0) + 1);
      const send = (status: number, body: unknown) => {
        const text = JSON.stringify(body);
        response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
        response.end(text);
      };
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        if (route === "GET /health") return send(200, { status: "ok" });
        if (this.token !== undefined && request.headers.authorization !== `Bearer ${this.token}`) return send(401, { error: "unauthorized" });
        const answer = (): void => {
          if (route === "GET /api/users") return send(200, { users: [{ id: 7, name: "Ada" }] });
          if (route === "GET /api/users/{id}") return url.pathname === "/api/users/7" ? send(200, { id: 7, name: "Ada" }) : send(404, { error: "no such user" });
          if (route === "POST /api/orders") return JSON.parse(body || "{}").sku ? send(201, { id: "o-1" }) : send(422, { error: "sku missing" });
          return send(404, { error: "not found" });
        };
        if (this.slowMs > 0) setTimeout(answer, this.slowMs);
        else answer();
      });
    });
  }

  #route(method: string, path: string): string {
    if (/^\/api\/users\/[^/]+$/.test(path)) return `${method} /api/users/{id}`;
    return `${method} ${path}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** The service's endpoints as a user declares them in bulwark.config.json. */
export const userServiceEndpoints = [
  { name: "health", method: "GET", path: "/health", criticality: "standard" },
  { name: "list-users", method: "GET", path: "/api/users", criticality: "critical" },
  { name: "get-user", method: "GET", path: "/api/users/{id}", criticality: "critical", example: { params: { id: 7 } } },
  { name: "create-order", method: "POST", path: "/api/orders", example: { body: { sku: "book-1", quantity: 1 } } },
];
export const userServiceRoutes = ["GET /health", "GET /api/users", "GET /api/users/{id}", "POST /api/orders"];
