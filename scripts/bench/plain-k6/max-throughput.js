// Closed-model k6 at full speed on one endpoint, the k6 side of the k6-against-wrk comparison
// (docs/benchmarks.md, figure b): each VU holds one keep-alive connection, like one wrk connection.
// k6 -e BASE_URL=... -e VUS=... -e DURATION=...
import http from "k6/http";

export const options = {
  scenarios: {
    flat_out: { executor: "constant-vus", vus: Number(__ENV.VUS), duration: __ENV.DURATION },
  },
};

export default function () {
  http.get(`${__ENV.BASE_URL}/api/items`);
}
