// The loopback front: the only way load reaches the real node's pods. It listens on 127.0.0.1 and follows
// the Service's EndpointSlices the way a Service does (Ready endpoints only, round robin per request), and
// forwards each request once: it never retries, so the failures a pod kill or a rollout causes reach the
// load exactly as users would see them. It forwards only to addresses in the real node's pod range.
import { request as httpRequest, Agent, createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig, Watch } from "@kubernetes/client-node";
import { inPodCidr, type RealNodeNetwork } from "./network.ts";

export interface FrontEndpoint {
  address: string;
  pod?: string;
}

export interface EndpointChange {
  /** Date.now() when the front applied the change */
  appliedAt: number;
  resourceVersion: string;
  ready: FrontEndpoint[];
}

export interface FrontOptions {
  kubeconfig: string;
  namespace: string;
  service: string;
  /** the pods' container port */
  targetPort: number;
  network: RealNodeNetwork;
  /** 0 (default) picks a free port */
  listenPort?: number;
  /** a request the pod does not answer within this is answered 504 */
  upstreamTimeoutMs?: number;
}

export interface LoopbackFront {
  url: string;
  ready(): FrontEndpoint[];
  changes: EndpointChange[];
  /** responses per pod, from the pods' X-Served-By header */
  servedBy: Map<string, number>;
  /** counts of what the front itself answered: no endpoint, connection failed, timed out */
  failures: { noEndpoint: number; upstreamError: number; upstreamTimeout: number };
  close(): Promise<void>;
}

interface SliceEndpoint {
  addresses?: string[];
  conditions?: { ready?: boolean | null };
  targetRef?: { kind?: string; name?: string };
}
interface Slice {
  metadata?: { name?: string; resourceVersion?: string };
  endpoints?: SliceEndpoint[] | null;
}

export async function startFront(options: FrontOptions): Promise<LoopbackFront> {
  const config = new KubeConfig();
  config.loadFromFile(options.kubeconfig);
  const slices = new Map<string, SliceEndpoint[]>();
  const changes: EndpointChange[] = [];
  const servedBy = new Map<string, number>();
  const failures = { noEndpoint: 0, upstreamError: 0, upstreamTimeout: 0 };
  let ready: FrontEndpoint[] = [];
  let next = 0;

  const recompute = (resourceVersion: string) => {
    ready = [...slices.values()]
      .flat()
      // A nil ready condition means ready (the EndpointSlice API's rule).
      .filter((endpoint) => endpoint.conditions?.ready !== false)
      .flatMap((endpoint) => (endpoint.addresses ?? []).map((address) => ({ address, pod: endpoint.targetRef?.name })))
      .filter((endpoint) => inPodCidr(endpoint.address, options.network));
    changes.push({ appliedAt: Date.now(), resourceVersion, ready });
  };

  let stopped = false;
  let watchRequest: { abort(): void } | undefined;
  const watch = new Watch(config);
  const startWatch = async (): Promise<void> => {
    watchRequest = await watch.watch(
      `/apis/discovery.k8s.io/v1/namespaces/${options.namespace}/endpointslices`,
      { labelSelector: `kubernetes.io/service-name=${options.service}` },
      (type: string, object: Slice) => {
        const name = object.metadata?.name ?? "";
        if (type === "DELETED") slices.delete(name);
        else if (type === "ADDED" || type === "MODIFIED") slices.set(name, object.endpoints ?? []);
        else return;
        recompute(object.metadata?.resourceVersion ?? "");
      },
      () => {
        // The API server ends watches now and then; start again unless we are closing.
        if (!stopped) setTimeout(() => void startWatch().catch(() => undefined), 200);
      },
    );
  };
  await startWatch();

  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const timeoutMs = options.upstreamTimeoutMs ?? 10_000;
  const answer = (response: ServerResponse, status: number, error: string) => {
    if (response.headersSent) return response.destroy();
    const body = JSON.stringify({ error });
    response.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
    response.end(body);
  };

  const server = createServer((incoming: IncomingMessage, response: ServerResponse) => {
    if (ready.length === 0) {
      failures.noEndpoint++;
      return answer(response, 503, "no ready endpoint");
    }
    const endpoint = ready[next++ % ready.length] as FrontEndpoint;
    const upstream = httpRequest(
      { host: endpoint.address, port: options.targetPort, method: incoming.method, path: incoming.url, headers: incoming.headers, agent, timeout: timeoutMs },
      (reply) => {
        const pod = reply.headers["x-served-by"];
        if (typeof pod === "string") servedBy.set(pod, (servedBy.get(pod) ?? 0) + 1);
        response.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(response);
        reply.on("error", () => response.destroy());
      },
    );
    upstream.on("timeout", () => {
      failures.upstreamTimeout++;
      upstream.destroy();
      answer(response, 504, `pod ${endpoint.pod ?? endpoint.address} did not answer within ${timeoutMs} ms`);
    });
    upstream.on("error", (error) => {
      if (response.writableEnded) return;
      failures.upstreamError++;
      answer(response, 502, `pod ${endpoint.pod ?? endpoint.address}: ${error.message}`);
    });
    incoming.pipe(upstream);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.listenPort ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    ready: () => ready,
    changes,
    servedBy,
    failures,
    async close() {
      stopped = true;
      watchRequest?.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
