import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { createErrorSchedule, noFaults, type DemoFaults } from "./faults.ts";
import { DemoMetrics } from "./metrics.ts";

interface Item {
  id: number;
  name: string;
  priceCents: number;
  stock: number;
}

interface Order {
  id: string;
  itemId: number;
  quantity: number;
  createdAt: string;
}

const itemCount = 200;
const pageSize = 20;
/** Keeps memory bounded however long a soak runs: the oldest orders are forgotten first. */
const maxOrders = 10_000;

const catalogue: Item[] = Array.from({ length: itemCount }, (_, index) => ({
  id: index + 1,
  name: `Item ${index + 1}`,
  priceCents: 199 + ((index * 37) % 5000),
  stock: (index * 13) % 40,
}));

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  response.end(text);
}

const maxBodyBytes = 64 * 1024;

class BodyTooLarge extends Error {
  constructor() {
    super(`body larger than ${maxBodyBytes} bytes`);
  }
}

/** 413 for a body over the limit, else 400: the request was not understood. */
const badRequestStatus = (error: unknown): number => (error instanceof BodyTooLarge ? 413 : 400);

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return chunks.length === 0 ? undefined : (JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown);
}

/** "GET /api/items/17" -> "GET /api/items/{id}": one fault schedule per route, not per resource. */
const routeOf = (path: string): string => path.replace(/\/[\w-]*\d[\w-]*$/, "/{id}");
const knownRoutes = new Set(["/api/items", "/api/items/{id}", "/api/orders", "/api/orders/{id}"]);
/** Metric label of a path: a known route, or "other" so that odd paths cannot grow the metrics without bound. */
const metricRoute = (path: string): string => (knownRoutes.has(routeOf(path)) ? routeOf(path) : "other");
const routeKey = (method: string | undefined, path: string): string => `${method} ${routeOf(path)}`;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Where the fault switch is: PUT {"latencyMs": 300, "errorRate": 0.5} switches faults on or off at once. */
export const faultControlPath = "/control/faults";
export const metricsPath = "/metrics";

/** Reads a fault setting sent to the control endpoint; a message naming the field when it is wrong. */
export function parseFaultSetting(body: unknown): DemoFaults | { error: string } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { error: "body must be a JSON object such as {\"latencyMs\": 300, \"errorRate\": 0}" };
  const { latencyMs = 0, errorRate = 0, ...unknown } = body as Record<string, unknown>;
  const extra = Object.keys(unknown);
  if (extra.length > 0) return { error: `unknown field '${extra[0]}' (known: latencyMs, errorRate)` };
  if (typeof latencyMs !== "number" || !Number.isFinite(latencyMs) || latencyMs < 0 || latencyMs > 60_000) return { error: "latencyMs must be a number of milliseconds from 0 to 60000" };
  if (typeof errorRate !== "number" || !(errorRate >= 0 && errorRate <= 1)) return { error: "errorRate must be a share from 0 to 1" };
  return { latencyMs, errorRate };
}

/** The embedded demo target: a small shop API with fault knobs, a runtime fault switch and Prometheus metrics. */
export function createDemoServer(initialFaults: DemoFaults = noFaults): Server {
  const orders = new Map<string, Order>();
  const metrics = new DemoMetrics();
  let faults = initialFaults;
  // One schedule per route: a shared counter would alias with the workflow and hit one endpoint only.
  let schedules = new Map<string, () => boolean>();
  const shouldFail = (route: string) => {
    let schedule = schedules.get(route);
    if (!schedule) schedules.set(route, (schedule = createErrorSchedule(faults.errorRate)));
    return schedule();
  };
  const switchFaults = (setting: DemoFaults) => {
    faults = setting;
    schedules = new Map();
  };

  async function handleControl(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method === "GET") return send(response, 200, faults);
    if (request.method !== "PUT") return send(response, 405, { error: "use GET or PUT" });
    const setting = parseFaultSetting(await readJson(request));
    if ("error" in setting) return send(response, 400, setting);
    switchFaults(setting);
    return send(response, 200, { ...setting, appliedAtMs: Date.now() });
  }

  async function handleApi(request: IncomingMessage, response: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    if (faults.latencyMs > 0) await delay(faults.latencyMs);
    if (shouldFail(routeKey(request.method, path))) return send(response, 500, { error: "injected fault" });

    if (request.method === "GET" && path === "/api/items") {
      const page = Math.max(1, Number(query.get("page") ?? 1) || 1);
      const items = catalogue.slice((page - 1) * pageSize, page * pageSize);
      return send(response, 200, { page, pageSize, total: catalogue.length, items });
    }
    const itemMatch = /^\/api\/items\/(\d+)$/.exec(path);
    if (request.method === "GET" && itemMatch) {
      const item = catalogue[Number(itemMatch[1]) - 1];
      return item ? send(response, 200, item) : send(response, 404, { error: "no such item" });
    }
    if (request.method === "POST" && path === "/api/orders") {
      const body = (await readJson(request)) as Partial<Order> | undefined;
      if (!body || typeof body.itemId !== "number" || !catalogue[body.itemId - 1]) return send(response, 422, { error: "itemId must name an item" });
      const order: Order = { id: randomUUID(), itemId: body.itemId, quantity: Number(body.quantity ?? 1), createdAt: new Date().toISOString() };
      orders.set(order.id, order);
      if (orders.size > maxOrders) orders.delete(orders.keys().next().value as string);
      return send(response, 201, order);
    }
    const orderMatch = /^\/api\/orders\/([\w-]+)$/.exec(path);
    if (request.method === "GET" && orderMatch) {
      const order = orders.get(orderMatch[1] ?? "");
      return order ? send(response, 200, order) : send(response, 404, { error: "no such order" });
    }
    return send(response, 404, { error: "not found" });
  }

  // In a pod the host name is the pod's name: load through a Service front can tell which pod answered.
  const servedBy = hostname();
  return createServer((request, response) => {
    response.setHeader("X-Served-By", servedBy);
    const url = new URL(request.url ?? "/", "http://demo.invalid");
    if (url.pathname === "/health") return send(response, 200, { status: "ok" });
    if (url.pathname === metricsPath) {
      if (request.method !== "GET" && request.method !== "HEAD") return send(response, 405, { error: "use GET" });
      const text = metrics.render();
      response.writeHead(200, { "Content-Type": "text/plain; version=0.0.4", "Content-Length": Buffer.byteLength(text) });
      return response.end(text);
    }
    if (url.pathname === faultControlPath) {
      handleControl(request, response).catch((error: unknown) => send(response, badRequestStatus(error), { error: error instanceof Error ? error.message : "bad request" }));
      return;
    }
    if (url.pathname.startsWith("/api/")) {
      const arrived = process.hrtime.bigint();
      response.once("finish", () => metrics.observe(request.method ?? "GET", metricRoute(url.pathname), response.statusCode, Number(process.hrtime.bigint() - arrived) / 1e9));
      handleApi(request, response, url.pathname, url.searchParams).catch((error: unknown) => {
        send(response, badRequestStatus(error), { error: error instanceof Error ? error.message : "bad request" });
      });
      return;
    }
    send(response, 404, { error: "not found" });
  });
}
