// One empty iteration: what starting and stopping the engine costs (docs/benchmarks.md, figure 6).
export const options = {
  scenarios: {
    once: { executor: "shared-iterations", vus: 1, iterations: 1 },
  },
};

export default function () {}
