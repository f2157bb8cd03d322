// The browse-catalog workflow written as a plain engine script, with no bulwark code: the baseline that
// bulwark's bundled scenario is compared against (docs/benchmarks.md, figure 3). Same requests, same
// executor; bulwark-engine run -e BASE_URL=... -e RATE=... -e DURATION=... -e VUS=...
import http from "k6/http";
import { check } from "k6";

const baseUrl = __ENV.BASE_URL;
const vus = Number(__ENV.VUS);

export const options = {
  scenarios: {
    browse: {
      executor: "constant-arrival-rate",
      rate: Number(__ENV.RATE),
      timeUnit: "1s",
      duration: __ENV.DURATION,
      preAllocatedVUs: vus,
      maxVUs: vus,
    },
  },
};

export default function () {
  const list = http.get(`${baseUrl}/api/items`, { tags: { name: "/api/items" } });
  check(list, { "list 200": (r) => r.status === 200 });
  const items = list.json("items") || [];
  const picked = items.length > 0 ? items[Math.floor(Math.random() * items.length)].id : 1;
  const item = http.get(`${baseUrl}/api/items/${picked}`, { tags: { name: "/api/items/{id}" } });
  check(item, { "item 200": (r) => r.status === 200 });
}
