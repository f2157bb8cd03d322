// The loopback front: the only way load reaches the real node's pods. It listens on 127.0.0.1 and follows
// the Service's EndpointSlices the way a Service does (Ready endpoints only, round robin per request), and
// forwards each request once: it never retries, so the failures a pod kill or a rollout causes reach the
// load exactly as users would see them. It forwards only to addresses in the real node's pod range.
// With onNodeLoopback it also answers on the real node's own 127.0.0.1 at the same port, for host-network
// pods there (the runner pods of a distributed load step).
import { request as httpRequest, Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { KubeConfig, Watch } from "@kubernetes/client-node";
import { inPodCidr, type RealNodeNetwork } from "./network.ts";
import { bridgeToNodeLoopback, nodeLoopbackSocket, PortTakenOnNode, prepareSocketFolder, type NodeLoopbackBridge } from "./node-loopback.ts";

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
  /** also listen on the real node's 127.0.0.1 at the same port (for the node's host-network pods) */
  onNodeLoopback?: boolean;
}

export interface LoopbackFront {
  /** on this host's 127.0.0.1; with onNodeLoopback the same URL also works from the node's host-network pods */
  url: string;
  ready(): FrontEndpoint[];
  changes: EndpointChange[];
  /** responses per pod, from the pods' X-Served-By header */
  servedBy: Map<string, number>;
  /** of those, the pods' own 5xx answers per pod (a bad release's 500s; the front's own 502/503/504 are in failures) */
  serverErrorsBy: Map<string, number>;
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
  const serverErrorsBy = new Map<string, number>();
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

  const handle = (incoming: IncomingMessage, response: ServerResponse) => {
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
        if (typeof pod === "string" && (reply.statusCode ?? 0) >= 500) serverErrorsBy.set(pod, (serverErrorsBy.get(pod) ?? 0) + 1);
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
  };
  const server = createServer(handle);
  server.keepAliveTimeout = 65_000;
  let port = 0;
  let nodeSide: { server: Server; bridge: NodeLoopbackBridge } | undefined;
  // The node's loopback has listeners of its own (containerd, kubelet): a port taken there is tried again.
  for (let attempt = 1; ; attempt++) {
    await listen(server, options.listenPort ?? 0, "127.0.0.1");
    port = (server.address() as AddressInfo).port;
    if (!options.onNodeLoopback) break;
    try {
      nodeSide = await exposeOnNode(handle, port, options.network);
      break;
    } catch (error) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!(error instanceof PortTakenOnNode) || options.listenPort || attempt >= 5) throw error;
    }
  }

  return {
    url: `http://127.0.0.1:${port}`,
    ready: () => ready,
    changes,
    servedBy,
    serverErrorsBy,
    failures,
    async close() {
      stopped = true;
      watchRequest?.abort();
      if (nodeSide) {
        await nodeSide.bridge.close();
        nodeSide.server.closeAllConnections();
        await new Promise<void>((resolve) => nodeSide!.server.close(() => resolve()));
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

function listen(server: Server, where: number | string, host?: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    const done = () => {
      server.off("error", reject);
      resolve();
    };
    if (typeof where === "string") server.listen(where, done);
    else server.listen(where, host, done);
  });
}

/** The same handler on a Unix socket, bridged to 127.0.0.1:<port> inside the node's namespace. */
async function exposeOnNode(handle: (incoming: IncomingMessage, response: ServerResponse) => void, port: number, network: RealNodeNetwork): Promise<{ server: Server; bridge: NodeLoopbackBridge }> {
  await prepareSocketFolder();
  const socketPath = nodeLoopbackSocket(port);
  await rm(socketPath, { force: true });
  const server = createServer(handle);
  server.keepAliveTimeout = 65_000;
  await listen(server, socketPath);
  try {
    return { server, bridge: await bridgeToNodeLoopback(network, port, socketPath) };
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(socketPath, { force: true });
    throw error;
  }
}
