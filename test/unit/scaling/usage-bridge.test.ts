// The usage bridge's arithmetic and guardrails: the served rate from the demo target's Prometheus
// counter, CPU spread over the Ready pods, and the refusal to run anywhere but the local test cluster.
import { describe, expect, it } from "vitest";
import { environmentSchema } from "../../../thresholds/schema.ts";
import { cpuPerReadyPod, ServedRate, totalRequests } from "../../../scripts/kinds/scaling/served-rate.ts";
import { assertBridgeAllowed, isLoopbackUrl } from "../../../scripts/kinds/scaling/usage-bridge.ts";

const exposition = `# HELP demo_http_requests_total Requests answered by the demo target.
# TYPE demo_http_requests_total counter
demo_http_requests_total{method="GET",route="/api/items",status="200"} 120
demo_http_requests_total{method="GET",route="/api/items/{id}",status="200"} 118
demo_http_requests_total{method="POST",route="/api/orders",status="500"} 2
# HELP demo_http_request_duration_seconds Request duration.
# TYPE demo_http_request_duration_seconds histogram
demo_http_request_duration_seconds_bucket{method="GET",route="/api/items",le="0.005"} 100
demo_http_request_duration_seconds_count{method="GET",route="/api/items"} 120
demo_http_requests_total_created 1700000000
`;

describe("the served rate", () => {
  it("sums every demo_http_requests_total series and nothing else", () => {
    expect(totalRequests(exposition)).toBe(240);
    expect(totalRequests("demo_http_requests_total 7 1700000000000\n")).toBe(7);
    expect(totalRequests("# nothing served yet\n")).toBeNull();
  });

  it("is the counter's increase over a sliding window, and starts over when the counter goes back", () => {
    const rate = new ServedRate(3000);
    expect(rate.perSecond()).toBe(0);
    rate.add(0, 100);
    rate.add(1000, 120);
    expect(rate.perSecond()).toBe(20);
    rate.add(2000, 140);
    rate.add(3000, 160);
    rate.add(4000, 200); // the window now starts at 1000 (120): 80 requests in 3 s
    expect(rate.perSecond()).toBeCloseTo(80 / 3, 10);
    rate.add(5000, 10); // the target restarted
    expect(rate.perSecond()).toBe(0);
    rate.add(6000, 30);
    expect(rate.perSecond()).toBe(20);
  });
});

describe("CPU per Ready pod", () => {
  it("is requests/s x CPU ms per request (= millicores), spread over the Ready pods, plus idle", () => {
    expect(cpuPerReadyPod(20, 8, 1, 1)).toBe(161);
    expect(cpuPerReadyPod(20, 8, 4, 1)).toBe(41);
    expect(cpuPerReadyPod(0, 8, 4, 1)).toBe(1);
    expect(cpuPerReadyPod(20, 8, 0, 1)).toBe(1);
  });
});

describe("guardrails", () => {
  const local = environmentSchema.parse({ demo: true, kubernetes: { local: true } });

  it("runs only where kubernetes.local is true and the demo target is in use", () => {
    expect(() => assertBridgeAllowed("local", local, "http://127.0.0.1:4000/metrics")).not.toThrow();
    expect(() => assertBridgeAllowed("staging", environmentSchema.parse({ demo: true, kubernetes: { kubeconfig: "kube.yaml" } }))).toThrow(
      /^usageBridge: a simulation aid for the local test cluster only; environments\.staging\.kubernetes\.local is not true$/,
    );
    expect(() => assertBridgeAllowed("bare", environmentSchema.parse({ demo: true }))).toThrow(/kubernetes\.local is not true/);
    expect(() => assertBridgeAllowed("real", environmentSchema.parse({ baseUrl: "http://127.0.0.1:8080", kubernetes: { local: true } }))).toThrow(/environments\.real\.demo is not true/);
  });

  it("reads metrics on loopback only", () => {
    expect(() => assertBridgeAllowed("local", local, "http://10.0.0.7:8080/metrics")).toThrow(/must be on loopback, not http:\/\/10\.0\.0\.7:8080\/metrics/);
    expect([isLoopbackUrl("http://127.0.0.1:1/m"), isLoopbackUrl("http://127.9.8.7/m"), isLoopbackUrl("http://[::1]:9/m"), isLoopbackUrl("http://localhost/m"), isLoopbackUrl("http://10.96.0.1/m")]).toEqual([true, true, true, false, false]);
  });
});
