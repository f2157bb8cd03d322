import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createDemoServer } from "../../scripts/demo-target/server.ts";
import { nowMs } from "./ground-truth-server.ts";

export interface ShopArrival {
  method: string;
  path: string;
  /** nowMs() when the request's headers were parsed. */
  at: number;
  /** The status the target answered: 401 when `authorized` refused the request. */
  refused: boolean;
}

/**
 * The demo shop's API (the routes the scenarios call, answered as the demo target does) on 127.0.0.1,
 * run inside the test so it records every request's arrival; optionally refusing with 401 every
 * request that `authorized` rejects.
 */
export class ShopTarget {
  readonly url: string;
  private readonly log: ShopArrival[] = [];

  private constructor(private readonly server: Server) {
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  static async start(authorized: (request: IncomingMessage) => boolean = () => true): Promise<ShopTarget> {
    const shop = createDemoServer();
    const server = createServer();
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const target = new ShopTarget(server);
    server.on("request", (request, response) => {
      const refused = !authorized(request);
      target.log.push({ method: request.method ?? "", path: new URL(request.url ?? "/", "http://localhost").pathname, at: nowMs(), refused });
      if (!refused) return void shop.emit("request", request, response);
      request.resume();
      response.writeHead(401, { "www-authenticate": 'Basic realm="shop"', "content-length": 0 });
      response.end();
    });
    return target;
  }

  arrivals(): ShopArrival[] {
    return [...this.log];
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
