// One valid fault entry for every kind and action the faults library supports, as an experiment file
// would write it: the unit tests parse them, the cluster tests dry-run their manifests.
import { faultActions, type ChaosKind, type FaultInput } from "../../chaos/faults/index.ts";

export const everyFault: FaultInput[] = [
  { kind: "PodChaos", action: "pod-kill", gracePeriod: 0 },
  { kind: "PodChaos", action: "pod-failure" },
  { kind: "PodChaos", action: "container-kill", containerNames: ["app"] },
  { kind: "NetworkChaos", action: "delay", latency: "100ms", jitter: "10ms", correlation: "25" },
  { kind: "NetworkChaos", action: "loss", loss: "20", correlation: 10 },
  { kind: "NetworkChaos", action: "duplicate", duplicate: "5" },
  { kind: "NetworkChaos", action: "corrupt", corrupt: "1.5" },
  { kind: "NetworkChaos", action: "partition", direction: "both", externalTargets: ["203.0.113.10"] },
  { kind: "NetworkChaos", action: "bandwidth", rate: "1mbps", limit: 20971520, buffer: 10000 },
  { kind: "StressChaos", action: "cpu", workers: 1, load: 50 },
  { kind: "StressChaos", action: "memory", workers: 1, size: "64MB" },
  { kind: "HTTPChaos", action: "abort", target: "Request", port: 8080, path: "/api/*", method: "GET" },
  { kind: "HTTPChaos", action: "delay", target: "Request", port: 8080, delay: "300ms" },
  { kind: "HTTPChaos", action: "replace", target: "Response", port: 8080, code: 200, replace: { code: 503, body: '{"error":"chaos"}' } },
  { kind: "HTTPChaos", action: "patch", target: "Response", port: 8080, patch: { headers: [["x-chaos", "bulwark"]] } },
  { kind: "IOChaos", action: "latency", volumePath: "/data", path: "/data/**", delay: "100ms", percent: 50 },
  { kind: "IOChaos", action: "fault", volumePath: "/data", errno: 5, methods: ["read", "write"] },
  { kind: "IOChaos", action: "attrOverride", volumePath: "/data", attr: { perm: 0o444 } },
  { kind: "IOChaos", action: "mistake", volumePath: "/data", mistake: { filling: "zero", maxOccurrences: 1, maxLength: 10 } },
  { kind: "TimeChaos", action: "offset", timeOffset: "-5m", clockIds: ["CLOCK_REALTIME"] },
  { kind: "DNSChaos", action: "error", patterns: ["example.com", "api.*"] },
  { kind: "DNSChaos", action: "random" },
];

/** Every kind/action pair the library declares, to prove `everyFault` leaves none out. */
export const declaredActions: string[] = (Object.entries(faultActions) as [ChaosKind, readonly string[]][]).flatMap(([kind, actions]) => actions.map((action) => `${kind} ${action}`));
