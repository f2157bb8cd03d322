// One GET as fast as the VUs go, and nothing else: the engine side of figure (1) in docs/benchmarks.md,
// against vegeta and wrk with as many workers/connections as VUs (each VU reuses one keep-alive connection).
// bulwark-engine run -e BASE_URL=... -e VUS=... -e DURATION=...
import http from "k6/http";

export const options = {
  scenarios: {
    flat_out: { executor: "constant-vus", vus: Number(__ENV.VUS), duration: __ENV.DURATION },
  },
};

export default function () {
  http.get(`${__ENV.BASE_URL}/api/items`);
}
