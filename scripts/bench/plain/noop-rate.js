// Empty iterations at a constant arrival rate: the engine's own schedule, with nothing else to wait for
// (docs/benchmarks.md, figure 5). The engine logs the start lag of arrival-rate iterations at the end.
// bulwark-engine run -e RATE=500 -e DURATION=10s -e VUS=20
const vus = Number(__ENV.VUS);

export const options = {
  scenarios: {
    schedule: { executor: "constant-arrival-rate", rate: Number(__ENV.RATE), timeUnit: "1s", duration: __ENV.DURATION, preAllocatedVUs: vus, maxVUs: 5 * vus },
  },
};

export default function () {}
