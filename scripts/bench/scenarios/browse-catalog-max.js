// bulwark's own browse-catalog scenario (scenarios/browse-catalog.ts: the plan read through
// __ENV.BULWARK_PLAN, endpoint tags, checks, per-endpoint thresholds, setup's health check) with one
// change: a closed model at full speed (constant-vus) instead of the profile's arrival rate, so that its
// request rate can be compared with vegeta's (docs/benchmarks.md, figure 2).
// Bundled by bundleForEngine like every scenario; bulwark-engine run -e VUS=... -e DURATION=...
import browseCatalog, { options as suiteOptions, setup } from "../../../scenarios/browse-catalog.ts";

export const options = {
  ...suiteOptions,
  scenarios: {
    "browse-catalog": { executor: "constant-vus", vus: Number(__ENV.VUS), duration: __ENV.DURATION, gracefulStop: "5s" },
  },
};

export { setup };
export default browseCatalog;
