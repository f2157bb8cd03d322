import { defineConfig } from "vitest/config";

// One project per kind of test: unit tests are pure and parallel; the others drive real parts
// (k6, Docker, a Kubernetes API server) on a 2-core machine, so their files run one at a time and the
// projects run one after the other (groupOrder): timing-sensitive load tests never share the CPU with
// a cluster, and the container tests, which restart the engine, never overlap the drills that use it.
export default defineConfig({
  test: {
    projects: [
      {
        // The fast lane (`npm run test:fast`): no container engine, cluster or load-engine build; it
        // holds the one type check of `npm test`.
        test: {
          name: "unit",
          sequence: { groupOrder: 0 },
          include: ["test/unit/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "e2e",
          sequence: { groupOrder: 1 },
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/support/e2e-global-setup.ts"],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          // bulwark installed from its npm pack tarball into a folder outside the repository, used on a
          // small service of the test's own: init, scenarios, gate, CI templates, the guide's commands.
          name: "project",
          sequence: { groupOrder: 6 },
          include: ["test/project/**/*.test.ts"],
          globalSetup: ["test/support/project-global-setup.ts"],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 900_000,
        },
      },
      {
        test: {
          name: "reports",
          sequence: { groupOrder: 2 },
          include: ["test/reports/**/*.test.ts"],
          // Installs Debian's chromium when missing, builds the CLI and k6; report.html is opened in Chromium.
          globalSetup: ["test/support/reports-global-setup.ts"],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          name: "containers",
          sequence: { groupOrder: 3 },
          include: ["test/containers/**/*.test.ts"],
          // Installs and starts the engine and builds the images once per run (cold: a few minutes).
          globalSetup: ["test/support/containers-global-setup.ts"],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 1_800_000,
        },
      },
      {
        test: {
          name: "drills",
          sequence: { groupOrder: 4 },
          include: ["test/drills/**/*.test.ts"],
          // Builds the CLI and makes sure PostgreSQL 15 server binaries exist (apt-get on a fresh machine).
          globalSetup: ["test/support/drills-global-setup.ts"],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          name: "cluster",
          sequence: { groupOrder: 5 },
          include: ["test/cluster/**/*.test.ts"],
          // Brings the local Kubernetes cluster up once (building it from the Go module proxy on a cold machine).
          globalSetup: ["test/support/cluster-global-setup.ts"],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          // Real pods: kubelet and containerd on a real node in a network namespace of its own, joined to
          // the cluster; load reaches the pods only through a loopback front. After the cluster project.
          name: "realnode",
          sequence: { groupOrder: 7 },
          include: ["test/real-node/**/*.test.ts"],
          globalSetup: ["test/support/real-node-global-setup.ts"],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 1_800_000,
        },
      },
    ],
  },
});
